import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * How the bad-input corpus starts the real `idsync` process: the one place that knows the
 * command line: `bin/idsync.js`, which runs the built CLI in dist/ (test/global-setup.ts builds
 * it before the tests).
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function cliCommand(argv: readonly string[]): { command: string; args: string[] } {
  // `--` ends node's own options: Node 20 otherwise takes an `--env-file` meant for idsync as its
  // own and exits 9 when that file is missing (bin/idsync.js's shebang passes `--` too).
  return { command: process.execPath, args: ['--', 'bin/idsync.js', ...argv] };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a child process with exactly `env` (plus PATH/HOME), killing it after `timeoutMs`. */
export function spawnCli(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 30_000,
): Promise<CliRun> {
  const { command, args } = cliCommand(argv);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
