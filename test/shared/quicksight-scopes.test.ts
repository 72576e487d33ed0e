import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { ConfigError } from '../../shared/errors.js';
import {
  accountOfScopeKey,
  parseQuickSightAccounts,
  quickSightScopes,
  SCOPE_KEY_SEPARATOR,
  scopeAccounts,
  scopeKey,
  scopeOfKey,
} from '../../shared/quicksight-scopes.js';

const HOME = '111111111111';
const OTHER = '222222222222';
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/idsync`;

function parsed(text: string) {
  const p = parseQuickSightAccounts(text);
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

describe('scopeKey', () => {
  it('keeps the bare namespace in the home account and prefixes every other account', () => {
    expect(scopeKey(HOME, HOME, 'default')).toBe('default');
    expect(scopeKey(HOME, OTHER, 'default')).toBe(`${OTHER}/default`);
  });

  it('never gives two different scopes the same key', () => {
    const account = fc.constantFrom(HOME, OTHER, '333333333333');
    const namespace = fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(account, namespace, account, namespace, (a1, n1, a2, n2) => {
        fc.pre(a1 !== a2 || n1 !== n2);
        expect(scopeKey(HOME, a1, n1)).not.toBe(scopeKey(HOME, a2, n2));
      }),
    );
    expect(SCOPE_KEY_SEPARATOR).toBe('/');
  });
});

describe('parseQuickSightAccounts', () => {
  it('reads accounts, namespaces and roles', () => {
    expect(parsed(`${HOME}:default:sales, ${OTHER}@${OTHER_ROLE}`)).toEqual([
      { accountId: HOME, namespaces: ['default', 'sales'] },
      { accountId: OTHER, namespaces: [], roleArn: OTHER_ROLE },
    ]);
  });

  it.each([
    ['', 'is empty'],
    [`${HOME},,${OTHER}`, 'empty entry'],
    ['12345', 'not a 12-digit AWS account id'],
    [`${HOME}:bad/name`, 'not a QuickSight namespace name'],
    [`${HOME}:`, 'not a QuickSight namespace name'],
    [`${OTHER}@arn:aws:iam::${OTHER}:user/x`, 'not an IAM role ARN'],
    [`${OTHER}@arn:aws:iam::${HOME}:role/idsync`, `the role is in account ${HOME}, not ${OTHER}`],
    [`${HOME}:default,${HOME}:sales`, `lists account ${HOME} twice`],
  ])('refuses %j (%s)', (text, message) => {
    const p = parseQuickSightAccounts(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toContain(message);
  });
});

describe('quickSightScopes', () => {
  it('is the home account and namespace alone without a list', () => {
    const s = quickSightScopes({ accountId: HOME, namespace: 'default' });
    expect(s).toEqual({
      ok: true,
      value: [{ accountId: HOME, namespace: 'default', key: 'default' }],
    });
  });

  it('gives an entry without namespaces the configured one, and each account its role', () => {
    const s = quickSightScopes({
      accountId: HOME,
      namespace: 'main',
      entries: parsed(`${HOME}:main:sales,${OTHER}@${OTHER_ROLE}`),
    });
    expect(s.ok && s.value).toEqual([
      { accountId: HOME, namespace: 'main', key: 'main' },
      { accountId: HOME, namespace: 'sales', key: 'sales' },
      { accountId: OTHER, namespace: 'main', roleArn: OTHER_ROLE, key: `${OTHER}/main` },
    ]);
  });

  it('lends IDSYNC_QUICKSIGHT_ROLE_ARN to the home account and to the account it is in only', () => {
    const homeRole = `arn:aws:iam::${HOME}:role/qs`;
    const ok = quickSightScopes({
      accountId: HOME,
      namespace: 'default',
      defaultRoleArn: homeRole,
      entries: parsed(HOME),
    });
    expect(ok.ok && ok.value[0]?.roleArn).toBe(homeRole);
    const refused = quickSightScopes({
      accountId: HOME,
      namespace: 'default',
      defaultRoleArn: homeRole,
      entries: parsed(`${HOME},${OTHER}`),
    });
    expect(refused).toEqual({
      ok: false,
      message: expect.stringContaining(`names account ${OTHER} without a role`),
    });
  });

  it('finds a scope by its key and lists each account once', () => {
    const s = quickSightScopes({
      accountId: HOME,
      namespace: 'default',
      entries: parsed(`${HOME}:default:sales,${OTHER}:default@${OTHER_ROLE}`),
    });
    if (!s.ok) throw new Error(s.message);
    expect(scopeOfKey(s.value, `${OTHER}/default`)?.accountId).toBe(OTHER);
    expect(scopeOfKey(s.value, 'sales')?.namespace).toBe('sales');
    expect(scopeOfKey(s.value, `${OTHER}/sales`)).toBeUndefined();
    expect(scopeAccounts(s.value)).toEqual([HOME, OTHER]);
  });
});

describe('IDSYNC_QUICKSIGHT_ACCOUNTS in the configuration', () => {
  const base = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: HOME };

  it('defaults to the home account and namespace', () => {
    const config = loadConfig(['quicksight'], base);
    expect(config.quicksight.scopes).toEqual([
      { accountId: HOME, namespace: 'default', key: 'default' },
    ]);
  });

  it('lists every scope, each with its role', () => {
    const config = loadConfig(['quicksight'], {
      ...base,
      IDSYNC_QUICKSIGHT_ACCOUNTS: `${HOME}:default:sales,${OTHER}@${OTHER_ROLE}`,
    });
    expect(config.quicksight.scopes.map((s) => s.key)).toEqual([
      'default',
      'sales',
      `${OTHER}/default`,
    ]);
  });

  it.each([
    [`${HOME},${OTHER}`, `names account ${OTHER} without a role`],
    ['nonsense', 'not a 12-digit AWS account id'],
  ])('refuses %j with an error naming the variable', (value, message) => {
    let error: unknown;
    try {
      loadConfig(['quicksight'], { ...base, IDSYNC_QUICKSIGHT_ACCOUNTS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContainEqual({
      variable: 'IDSYNC_QUICKSIGHT_ACCOUNTS',
      problem: expect.stringContaining(message),
    });
  });
});

describe('accountOfScopeKey', () => {
  it('reads the account before the separator; a bare namespace or no key is the home account', () => {
    expect(accountOfScopeKey('111111111111', '222222222222/default')).toBe('222222222222');
    expect(accountOfScopeKey('111111111111', 'sales')).toBe('111111111111');
    expect(accountOfScopeKey('111111111111', undefined)).toBe('111111111111');
  });

  it('property: the account of every scope key is the scope’s account', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^[a-zA-Z0-9._-]{1,64}$/),
        (home, account, namespace) => {
          expect(accountOfScopeKey(home, scopeKey(home, account, namespace))).toBe(account);
        },
      ),
    );
  });
});
