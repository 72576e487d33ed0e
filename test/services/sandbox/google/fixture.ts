import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JWT } from 'google-auth-library';
import {
  type GoogleStandIn,
  startGoogleStandIn,
} from '../../../../services/sandbox/google/stand-in.js';
import type { FaultSettings } from '../../../../services/sandbox/http/faults.js';
import { GoogleDirectoryState } from '../../../../services/sandbox/state/google-state.js';
import { honourTokenUri } from '../../../../shared/google/token-uri.js';

/** Test fixture: a Google stand-in on a free loopback port, its key in a temporary folder. */

export const ADMIN = 'admin@example.com';
export const MEMBER_READONLY_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly';

export interface GoogleFixture {
  readonly state: GoogleDirectoryState;
  readonly standIn: GoogleStandIn;
  readonly keyDir: string;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly faults?: FaultSettings;
  readonly random?: () => number;
  readonly allowedSubjects?: readonly string[];
  readonly delegatedScopes?: readonly string[];
}

export async function startGoogleFixture(options: FixtureOptions = {}): Promise<GoogleFixture> {
  const keyDir = await mkdtemp(join(tmpdir(), 'idsync-google-'));
  const state = new GoogleDirectoryState();
  const standIn = await startGoogleStandIn(state, {
    keyDir,
    allowedSubjects: options.allowedSubjects ?? [ADMIN],
    ...(options.delegatedScopes ? { delegatedScopes: options.delegatedScopes } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  return {
    state,
    standIn,
    keyDir,
    close: async () => {
      await standIn.close();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

/** Adds a group with `count` user members `<prefix>-<i>@example.com`; returns their emails. */
export function seedGroup(
  state: GoogleDirectoryState,
  group: string,
  count: number,
  prefix = group.split('@')[0] ?? 'user',
): string[] {
  state.addGroup(group, `group-${group}`);
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${prefix}-${String(i).padStart(4, '0')}@example.com`;
    state.addMember(group, {
      id: `id-${email}`,
      email,
      type: 'USER',
      role: 'MEMBER',
      status: 'ACTIVE',
    });
    emails.push(email);
  }
  return emails;
}

/** Nests `child` (a group) into `parent`. */
export function nestGroup(state: GoogleDirectoryState, parent: string, child: string): void {
  state.addMember(parent, {
    id: `group-${child}`,
    email: child,
    type: 'GROUP',
    role: 'MEMBER',
    status: 'ACTIVE',
  });
}

/** A random source that yields `values` in turn, then `rest` for ever (scripts fault decisions). */
export function scriptedRandom(values: readonly number[], rest = 0.999): () => number {
  let i = 0;
  return () => (i < values.length ? (values[i++] as number) : rest);
}

export const MEMBER_WRITE_SCOPE = 'https://www.googleapis.com/auth/admin.directory.group.member';

/** google-auth-library's JWT client on the stand-in's key file, its token request routed to the stand-in. */
export function jwtClient(
  standIn: GoogleStandIn,
  subject = ADMIN,
  scopes: readonly string[] = [MEMBER_READONLY_SCOPE],
): JWT {
  const jwt = new JWT({
    keyFile: standIn.credentialsPath,
    subject,
    scopes: [...scopes],
  });
  honourTokenUri(jwt, standIn.tokenUri);
  return jwt;
}

/**
 * The sample directory: `big@` with 450 users, an empty group, and `parent@` (p-0000..2) with
 * nested `child@` (c-0000..1 and p-0001, so p-0001 is in both and must be listed once).
 */
export const SAMPLE_PARENT_FLATTENED = [
  'c-0000@example.com',
  'c-0001@example.com',
  'p-0000@example.com',
  'p-0001@example.com',
  'p-0002@example.com',
];

export function seedSampleDirectory(state: GoogleDirectoryState): void {
  seedGroup(state, 'big@example.com', 450);
  state.addGroup('empty@example.com', 'group-empty');
  seedGroup(state, 'parent@example.com', 3, 'p');
  seedGroup(state, 'child@example.com', 2, 'c');
  state.addMember('child@example.com', {
    id: 'id-p-0001@example.com',
    email: 'p-0001@example.com',
    type: 'USER',
    role: 'MEMBER',
    status: 'ACTIVE',
  });
  nestGroup(state, 'parent@example.com', 'child@example.com');
}
