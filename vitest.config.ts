import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Three projects in one run:
 * - `integration`: tests that start servers (the sandbox, dynalite, stand-ins) or processes, on
 *   ports of their own, and close them in their afterAll. They share worker processes
 *   (isolate: false): the AWS SDK, dynalite and the stand-ins load once per worker rather than once
 *   per file (BENCHMARKS.md, "Test suite time"). Such a file must not change the process (working
 *   directory, environment, globals, mocked modules) beyond its own tests.
 * - `isolated`: the integration tests in ISOLATED, each in a process of its own.
 * - `unit`: everything else (pure logic, CDK assertions), sharing worker processes too.
 * A test that starts a server or a process belongs in INTEGRATION; test/test-projects.test.ts
 * fails when a unit test imports the sandbox or server helpers, and when a shared integration test
 * changes the process.
 */
/** Tests that need Node 24 (the Lambda runtime): named `*.node24.test.ts`. */
export const NODE24_ONLY = 'test/**/*.node24.test.ts';

export const INTEGRATION = [
  'test/acceptance/**/*.test.ts',
  'test/infra/bundle.test.ts',
  'test/services/activity/activity-cli.test.ts',
  'test/services/notices/notices-cli.test.ts',
  'test/services/sandbox/ses/ses-stand-in.test.ts',
  'test/services/sandbox/two-account-layout.test.ts',
  'test/services/sandbox/multi-quicksight-layout.test.ts',
  'test/services/activity/activity-pending-cli.test.ts',
  'test/services/activity/activity-sync-clock-regions.test.ts',
  'test/services/audit/run-audit.test.ts',
  'test/services/audit/write-report.test.ts',
  'test/services/cli/**/*.test.ts',
  'test/services/*/handler.test.ts',
  'test/services/removals/plan/run-plan.test.ts',
  'test/services/sandbox/{cloudtrail,google,identitystore,quicksight}/{stand-in,stand-in-*,faults}.test.ts',
  'test/reliability/**/*.test.ts',
  'test/services/sandbox/control/control-server*.test.ts',
  'test/services/snapshot/run-snapshot.test.ts',
  'test/services/snapshot/run-snapshot-values.test.ts',
  'test/services/snapshot/run-snapshot-keep-groups.test.ts',
  'test/services/removals/worker/{faulty-api,kill-restart,run-worker,lease-and-outcome,leave-group,change-role,remembered-pace}.test.ts',
  'test/services/cli/{reconcile-roles,inactive-downgrade-authors}.test.ts',
  'test/shared/aws/{clients,identity-store-directory,quicksight-users,sqs-task-queue}.test.ts',
  'test/shared/aws/quicksight-assets.test.ts',
  'test/services/removals/handover/handover-faults.test.ts',
  'test/services/activity/cloudtrail-lookup.test.ts',
  'test/services/activity/cloudtrail-accounts.test.ts',
  'test/shared/dynamo/**/*.test.ts',
  'test/services/snapshot/google/{google-directory,google-directory-nesting}.test.ts',
  'test/shared/google/{token-uri,google-group-members}.test.ts',
  'test/services/events/genuine-events.test.ts',
  'test/services/removals/worker/guard-window.test.ts',
  'test/shared/aws/assumed-roles.test.ts',
  'test/services/sandbox/sts/stand-in.test.ts',
  'test/services/review/decide-review.test.ts',
  NODE24_ONLY,
  'test/shared/aws/operator-adapters.test.ts',
  'test/services/worker/google-handler.test.ts',
];

/** Skipped on Node < 22 (aws-local-stepfunctions needs Node 22); .ci/run runs them on Node 24. */
const OLD_NODE = Number(process.versions.node.split('.')[0]) < 22;

/**
 * The files that take longest start first (measured 7 Dec 2026 on the shared 2-core machine,
 * BENCHMARKS.md "Test suite time": 35–170 s each there; the demo, the demo-sized snapshot, the
 * paced worker and CloudTrail runs, the fault matrices). Vitest orders by its timing cache, which
 * a fresh clone (CI) does not have: without this, one of them starting last runs alone at the end.
 */
export const LONG_FIRST = [
  'test/services/cli/demo.test.ts',
  'test/services/snapshot/run-snapshot.test.ts',
  'test/acceptance/rehearsal-walkthrough.test.ts',
  'test/services/cli/sandbox.test.ts',
  'test/services/removals/worker/kill-restart.test.ts',
  'test/services/removals/worker/run-worker.test.ts',
  'test/services/activity/activity-sync-clock-regions.test.ts',
  'test/reliability/fault-matrix-idle.test.ts',
  'test/services/cli/idle-rejudge.test.ts',
  'test/services/removals/worker/guard-window.test.ts',
  'test/reliability/fault-matrix-idle-verdict.test.ts',
  'test/services/removals/worker/faulty-api.test.ts',
  'test/reliability/fault-matrix-outages.test.ts',
  'test/reliability/fault-matrix.test.ts',
  'test/reliability/fault-matrix-activity-regions.test.ts',
  'test/reliability/fault-matrix-scopes.test.ts',
  'test/services/removals/worker/lease-and-outcome.test.ts',
];

/**
 * Integration tests that run each in a process of their own:
 * - the long ones (LONG_FIRST): loading their imports is a small part of their time, and they
 *   are the ones that hit a timeout on a loaded machine, after which a timed-out test's work goes
 *   on in the background, in a worker that now runs other files (in one run with these shared, the
 *   outage fault matrix took 175 s instead of 33 s, each case 4–10× slower, after the demo had
 *   timed out);
 * - the ones that fork a worker process whose pace depends on this process serving its calls at
 *   once (faulty-api timed out at 90 s after run-worker in a shared worker; 22 s alone);
 * - the ones that change the process for a while (the working directory), or need a runtime of
 *   their own (Node 24).
 */
export const ISOLATED = [
  ...LONG_FIRST,
  'test/services/removals/worker/{faulty-api,kill-restart}.test.ts',
  'test/acceptance/rehearsal-walkthrough.test.ts',
  NODE24_ONLY,
];

/** After LONG_FIRST, the files of one project run one after another, in this order. */
const PROJECT_ORDER = ['integration', 'isolated', 'unit'];

/**
 * LONG_FIRST first, then the rest project by project. A worker of a project that shares its
 * processes (isolate: false) is handed the next file only while the queue's next file is of the
 * same project (vitest's pool); when projects alternate in the queue, every file starts a fresh
 * process and loads its imports again, which is what sharing was meant to save.
 */
class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONG_FIRST.length : i;
    };
    const group = (f: TestSpecification) => {
      const i = PROJECT_ORDER.indexOf(f.project.name);
      return i < 0 ? PROJECT_ORDER.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || group(a.f) - group(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

const shared = {
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
} as const;

export default defineConfig({
  test: {
    reporters: ['default'],
    // Most integration tests wait on paced stand-ins (2 calls/s, 40-50 calls/s) rather than on the
    // CPU: three files at once on this 2-core machine take the suite from ~310 s to ~145 s
    // (BENCHMARKS.md is not involved: no test here is timed against a target).
    maxWorkers: 3,
    sequence: { sequencer: LongFirst },
    // Builds dist/ (the CLI that bin/idsync.js runs) before any test spawns it.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/bench/**', 'test/browser/**', 'node_modules/**', ...INTEGRATION],
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: INTEGRATION,
          exclude: ['test/bench/**', 'test/browser/**', 'node_modules/**', ...ISOLATED],
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'isolated',
          include: ISOLATED,
          exclude: [
            'test/bench/**',
            'test/browser/**',
            'node_modules/**',
            ...(OLD_NODE ? [NODE24_ONLY] : []),
          ],
          isolate: true,
        },
      },
    ],
  },
});
