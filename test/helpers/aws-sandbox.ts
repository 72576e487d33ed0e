import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import type { StandIn, StandInOptions } from '../../services/sandbox/http/stand-in.js';
import { startIdentityStoreStandIn } from '../../services/sandbox/identitystore/stand-in.js';
import { startQuickSightStandIn } from '../../services/sandbox/quicksight/stand-in.js';
import { IdentityStoreState } from '../../services/sandbox/state/identity-store-state.js';
import { QuickSightState } from '../../services/sandbox/state/quicksight-state.js';
import { createIdentityStoreClient, createQuickSightClient } from '../../shared/aws/clients.js';
import type { IdcUser, QuickSightUser } from '../../shared/domain.js';

/**
 * Test fixtures for the AWS stand-ins: a stand-in on a free loopback port with its state and a
 * REAL SDK client (built by shared/aws/clients, so SDK retries are off) pointed at it.
 */

export const ACCOUNT_ID = '123456789012';
export const NAMESPACE = 'default';
export const REGION = 'us-east-1';
export const IDENTITY_STORE_ID = 'd-1234567890';
export const READER_ROLE = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
const TEST_CREDENTIALS = { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** A running stand-in, the state it serves and a real SDK client pointed at it. */
export interface Fixture<State, Client> {
  readonly state: State;
  readonly standIn: StandIn;
  readonly client: Client;
  close(): Promise<void>;
}
export type QuickSightFixture = Fixture<QuickSightState, QuickSightClient>;
export type IdentityStoreFixture = Fixture<IdentityStoreState, IdentitystoreClient>;

export function startQuickSightFixture(options: StandInOptions = {}): Promise<QuickSightFixture> {
  return startFixture(
    new QuickSightState(ACCOUNT_ID, NAMESPACE, REGION),
    (state) => startQuickSightStandIn(state, options),
    (endpoint) =>
      createQuickSightClient(
        { region: REGION, endpoints: { quicksight: endpoint } },
        { region: REGION },
        TEST_CREDENTIALS,
      ),
  );
}

export function startIdentityStoreFixture(
  options: StandInOptions = {},
): Promise<IdentityStoreFixture> {
  return startFixture(
    new IdentityStoreState(IDENTITY_STORE_ID),
    (state) => startIdentityStoreStandIn(state, options),
    (endpoint) =>
      createIdentityStoreClient(
        { region: REGION, endpoints: { identitystore: endpoint } },
        TEST_CREDENTIALS,
      ),
  );
}

async function startFixture<State, Client extends { destroy(): void }>(
  state: State,
  start: (state: State) => Promise<StandIn>,
  clientFor: (endpoint: string) => Client,
): Promise<Fixture<State, Client>> {
  const standIn = await start(state);
  const client = clientFor(standIn.endpoint);
  return {
    state,
    standIn,
    client,
    close: async () => {
      client.destroy();
      await standIn.close();
    },
  };
}

/** The `<role>/<email>` user name of an IAM-federated QuickSight user. */
export function federatedUserName(email: string, role = READER_ROLE): string {
  return `${role}/${email}`;
}

/** Registers `count` federated Readers `user<i>@example.com` straight into the state. */
export function seedQuickSightReaders(state: QuickSightState, count: number): QuickSightUser[] {
  return Array.from({ length: count }, (_, i) => {
    const email = `user${i}@example.com`;
    return state.register({
      userName: federatedUserName(email),
      email,
      role: 'READER',
      identityType: 'IAM',
      principalId: `federated/iam/AROAEXAMPLE${i}:${email}`,
      active: true,
    });
  });
}

/** Creates `count` IdC users `user<i>@example.com` (with a SCIM external id) in the state. */
export function seedIdcUsers(state: IdentityStoreState, count: number): IdcUser[] {
  return Array.from({ length: count }, (_, i) =>
    state.createUser({
      userName: `user${i}@example.com`,
      displayName: `User ${i}`,
      emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
      externalIds: [{ issuer: 'https://scim.example.com', id: `ext-${i}` }],
    }),
  );
}

/** Every page of an async listing, and the number of pages. */
export async function collectPages<T>(
  pages: AsyncIterable<readonly T[]>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    count++;
    items.push(...page);
  }
  return { items, pages: count };
}

/** Lists through the adapter `listing` builds, counting the retries it reports via onRetry. */
export async function collectCountingRetries<T>(
  listing: (onRetry: () => void) => AsyncIterable<readonly T[]>,
): Promise<{ items: T[]; pages: number; retries: number }> {
  let retries = 0;
  const result = await collectPages(listing(() => retries++));
  return { ...result, retries };
}

/** A retry `sleep` that records each wait and, instead of waiting, clears the stand-in's faults. */
export function healingSleep(standIn: StandIn, waits: number[]): (ms: number) => Promise<void> {
  return async (ms) => {
    waits.push(ms);
    standIn.faults.configure({});
  };
}
