import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleDirectory } from '../../../../services/snapshot/google/google-directory.js';
import {
  ADMIN,
  type GoogleFixture,
  nestGroup,
  startGoogleFixture,
} from '../../sandbox/google/fixture.js';

/**
 * Property: for any nesting of groups (overlaps and cycles included), the adapter lists exactly
 * the users reachable from the group, each once, in pages of at most 200.
 */

const GROUPS = 4;

const structure = fc.record({
  users: fc.integer({ min: 0, max: 450 }),
  /** For each group: which users (by index modulo `users`) are direct members. */
  direct: fc.array(fc.array(fc.nat(), { maxLength: 200 }), {
    minLength: GROUPS,
    maxLength: GROUPS,
  }),
  /** Group → group nesting edges. */
  nested: fc.array(fc.tuple(fc.nat(GROUPS - 1), fc.nat(GROUPS - 1)), { maxLength: 6 }),
});

describe('GoogleDirectory adapter: nested groups (property, real client)', () => {
  let fx: GoogleFixture;
  beforeAll(async () => {
    fx = await startGoogleFixture();
  });
  afterAll(() => fx.close());

  it('lists every reachable user exactly once', async () => {
    const directory = createGoogleDirectory({
      credentialsPath: fx.standIn.credentialsPath,
      subject: ADMIN,
      rootUrl: fx.standIn.rootUrl,
      retry: { baseMs: 1, capMs: 5, maxAttempts: 2 },
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(structure, async ({ users, direct, nested }) => {
        run++;
        const group = (g: number) => `r${run}-g${g}@groups.example.com`;
        const user = (u: number) => `user-${u}@example.com`;
        for (let g = 0; g < GROUPS; g++) fx.state.addGroup(group(g), `id-${group(g)}`);
        const directUsers = direct.map((picks) =>
          users === 0 ? new Set<number>() : new Set(picks.map((p) => p % users)),
        );
        directUsers.forEach((set, g) => {
          for (const u of set)
            fx.state.addMember(group(g), {
              id: `id-${u}`,
              email: user(u),
              type: 'USER',
              role: 'MEMBER',
              status: 'ACTIVE',
            });
        });
        for (const [parent, child] of nested)
          if (parent !== child) nestGroup(fx.state, group(parent), group(child));

        // Independent oracle: users reachable from group 0 along the nesting edges.
        const reachable = new Set<number>();
        const seen = new Set<number>([0]);
        const queue = [0];
        while (queue.length > 0) {
          const g = queue.shift() as number;
          for (const u of directUsers[g] ?? []) reachable.add(u);
          for (const [parent, child] of nested)
            if (parent === g && parent !== child && !seen.has(child)) {
              seen.add(child);
              queue.push(child);
            }
        }

        const listed: string[] = [];
        const sizes: number[] = [];
        for await (const page of directory.listMembers(group(0))) {
          sizes.push(page.length);
          listed.push(...page.map((m) => m.email));
        }
        expect(listed).toHaveLength(reachable.size);
        expect(new Set(listed)).toEqual(new Set([...reachable].map(user)));
        expect(sizes.every((n) => n <= 200)).toBe(true);
        expect(sizes).toHaveLength(Math.max(1, Math.ceil(reachable.size / 200)));
      }),
      { numRuns: 25 },
    );
  });
});
