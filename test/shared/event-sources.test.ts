import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  eventBridgeSourceOf,
  IDC_EVENT_SOURCES,
  IDC_EVENTBRIDGE_SOURCES,
  QUICKSIGHT_EVENT_SOURCE,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const HOME = 'shared/event-sources.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Code only: doc comments may name the events. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

describe('event sources and names', () => {
  it('are the ones AWS uses', () => {
    expect(QUICKSIGHT_EVENT_SOURCE).toBe('quicksight.amazonaws.com');
    expect(QUICKSIGHT_EVENTBRIDGE_SOURCE).toBe('aws.quicksight');
    expect(CLOUDTRAIL_DETAIL_TYPE).toBe('AWS API Call via CloudTrail');
    expect(IDC_EVENTBRIDGE_SOURCES).toEqual([
      'aws.identitystore',
      'aws.sso-directory',
      'aws.identitystore-scim',
    ]);
    expect(eventBridgeSourceOf('aws.other')).toBe('aws.aws.other');
  });

  it('are written once: no job, shared module or CDK construct spells them out again', () => {
    // The stand-ins (services/sandbox/) and the demo's made-up CloudTrail record play AWS's side
    // and keep their own spelling on purpose: the product and AWS's side agreeing is what their
    // tests check.
    const literals = [
      QUICKSIGHT_EVENT_SOURCE,
      QUICKSIGHT_EVENTBRIDGE_SOURCE,
      CLOUDTRAIL_DETAIL_TYPE,
      ...IDC_EVENT_SOURCES,
      ...IDC_EVENTBRIDGE_SOURCES,
    ].map((text) => new RegExp(`['"\`]${text.replaceAll('.', '\\.')}['"\`]`));
    const files = [...sources('services'), ...sources('shared'), ...sources('infra')].filter(
      (f) => f !== HOME && !f.startsWith('services/sandbox/') && f !== 'services/cli/demo.ts',
    );
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => {
      const text = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
      return literals.filter((re) => re.test(text)).map((re) => `${relative('.', file)}: ${re}`);
    });
    expect(found).toEqual([]);
  });
});
