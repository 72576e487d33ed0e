import { describe, expect, it } from 'vitest';
import { loadConfig, VARIABLES } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';
import { DEFAULT_PRICES } from '../../../shared/prices.js';

const google = {
  IDSYNC_GOOGLE_GROUPS: 'readers@example.com, authors@example.com',
  IDSYNC_GOOGLE_CREDENTIALS: '/keys/sa.json',
  IDSYNC_GOOGLE_SUBJECT: 'admin@example.com',
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('gives every optional variable its documented default', () => {
    const c = loadConfig(['worker', 'plan', 'quicksight', 'snapshot', 'report'], {
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
    });
    expect(c.core).toEqual({
      tablePrefix: 'idsync',
      logLevel: 'info',
      terminalLogLevel: 'warn',
      color: true,
    });
    // No region variable: none assumed, the SDK resolves it (the profile's region).
    expect(c.aws).toEqual({
      endpoints: {
        dynamodb: undefined,
        identitystore: undefined,
        quicksight: undefined,
        sqs: undefined,
      },
      timeouts: { connectMs: 5_000, requestMs: 30_000 },
    });
    expect(c.worker).toEqual({ rate: 50, concurrency: 16, leaseMs: 20_000 });
    expect(c.plan).toEqual({
      maxDeletions: 100,
      maxDeletionPercent: 10,
      protectedRoles: ['ADMIN', 'ADMIN_PRO'],
      protectedUsers: [],
      managedUsernamePrefix: undefined,
      guardWindowHours: 24,
      googleGroupWrite: false,
      assetSuccessor: undefined,
      prices: DEFAULT_PRICES,
    });
    expect(c.quicksight).toEqual({
      accountId: '123456789012',
      namespace: 'default',
      scopes: [{ accountId: '123456789012', namespace: 'default', key: 'default' }],
    });
    expect(c.snapshot.retentionDays).toBe(30);
    expect(c.report.prices).toEqual(DEFAULT_PRICES);
  });

  it('defaults the Google root URL and the QuickSight region to AWS_REGION', () => {
    const c = loadConfig(['google', 'quicksight'], {
      ...google,
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
      AWS_REGION: 'eu-west-1',
    });
    expect(c.google.rootUrl).toBe('https://admin.googleapis.com/');
    expect(c.quicksight.region).toBe('eu-west-1');
  });

  it('takes AWS_DEFAULT_REGION when AWS_REGION is unset, AWS_REGION first', () => {
    const account = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012' };
    const both = { ...account, AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' };
    expect(loadConfig(['quicksight'], both).aws.region).toBe('eu-west-1');
    const fallback = loadConfig(['quicksight'], { ...account, AWS_DEFAULT_REGION: 'ap-south-1' });
    expect(fallback.aws.region).toBe('ap-south-1');
    expect(fallback.quicksight.region).toBe('ap-south-1');
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig(['plan'], {});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.plan.protectedRoles)).toBe(true);
    expect(() => {
      (c.core as { tablePrefix: string }).tablePrefix = 'x';
    }).toThrow(TypeError);
  });

  it('asks only for the sections a command needs', () => {
    const c = loadConfig([], {});
    expect(Object.keys(c).sort()).toEqual(['aws', 'core']);
  });
});

describe('loadConfig valid values', () => {
  it('parses every variable', () => {
    const c = loadConfig(
      ['google', 'identityStore', 'quicksight', 'worker', 'plan', 'snapshot', 'report'],
      {
        ...google,
        IDSYNC_GOOGLE_ROOT_URL: 'http://127.0.0.1:9000',
        IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
        IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
        IDSYNC_QUICKSIGHT_NAMESPACE: 'team-a',
        IDSYNC_QUICKSIGHT_ACCOUNTS: '123456789012:team-a:team-b',
        IDSYNC_QUICKSIGHT_REGION: 'us-west-2',
        IDSYNC_TABLE_PREFIX: 'idsync-test',
        IDSYNC_LOG_LEVEL: 'DEBUG',
        NO_COLOR: '1',
        IDSYNC_RATE: '12.5',
        IDSYNC_CONCURRENCY: '8',
        IDSYNC_LEASE_SECONDS: '15',
        IDSYNC_MAX_DELETIONS: '0',
        IDSYNC_MAX_DELETION_PERCENT: '25',
        IDSYNC_PROTECTED_ROLES: 'admin, author',
        IDSYNC_PROTECTED_USERS: 'boss@example.com,svc/robot',
        IDSYNC_MANAGED_USERNAME_PREFIX: 'AWSReservedSSO_QuickSightReader_',
        IDSYNC_GUARD_WINDOW_HOURS: '6',
        IDSYNC_GOOGLE_GROUP_WRITE: 'on',
        IDSYNC_GROUP_ROLES: 'Authors@Example.com=author,readers@example.com=READER',
        IDSYNC_IDC_ACCOUNT_ID: '210987654321',
        IDSYNC_IDC_REGION: 'us-east-2',
        IDSYNC_SNAPSHOT_RETENTION_DAYS: '7',
        IDSYNC_PRICES: 'reader=0, author=30',
        AWS_REGION: 'eu-central-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1000',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1001',
      },
    );
    expect(c.google).toEqual({
      groups: ['readers@example.com', 'authors@example.com'],
      credentialsPath: '/keys/sa.json',
      subject: 'admin@example.com',
      rootUrl: 'http://127.0.0.1:9000/',
    });
    expect(c.quicksight).toEqual({
      accountId: '123456789012',
      namespace: 'team-a',
      scopes: [
        { accountId: '123456789012', namespace: 'team-a', key: 'team-a' },
        { accountId: '123456789012', namespace: 'team-b', key: 'team-b' },
      ],
      region: 'us-west-2',
    });
    expect(c.core).toEqual({
      tablePrefix: 'idsync-test',
      logLevel: 'debug',
      terminalLogLevel: 'debug',
      color: false,
    });
    expect(c.worker).toEqual({ rate: 12.5, concurrency: 8, leaseMs: 15_000 });
    expect(c.plan).toEqual({
      maxDeletions: 0,
      maxDeletionPercent: 25,
      protectedRoles: ['ADMIN', 'AUTHOR'],
      protectedUsers: ['boss@example.com', 'svc/robot'],
      managedUsernamePrefix: 'AWSReservedSSO_QuickSightReader_',
      guardWindowHours: 6,
      googleGroupWrite: true,
      groupRoles: new Map([
        ['authors@example.com', 'AUTHOR'],
        ['readers@example.com', 'READER'],
      ]),
      prices: { ...DEFAULT_PRICES, READER: 0, AUTHOR: 30, ADMIN: 30 },
    });
    expect(c.identityStore).toEqual({
      identityStoreId: 'd-1234567890',
      accountId: '210987654321',
      region: 'us-east-2',
    });
    expect(c.snapshot.retentionDays).toBe(7);
    expect(c.report.prices).toEqual({
      ...DEFAULT_PRICES,
      READER: 0,
      AUTHOR: 30,
      ADMIN: 30,
    });
    expect(c.aws).toEqual({
      region: 'eu-central-1',
      endpoints: {
        dynamodb: 'http://127.0.0.1:1001',
        identitystore: 'http://127.0.0.1:1000',
        quicksight: 'http://127.0.0.1:1000',
        sqs: 'http://127.0.0.1:1000',
        cloudtrail: 'http://127.0.0.1:1000',
        sts: 'http://127.0.0.1:1000',
        sfn: 'http://127.0.0.1:1000',
        sesv2: 'http://127.0.0.1:1000',
        sns: 'http://127.0.0.1:1000',
        s3: 'http://127.0.0.1:1000',
      },
      timeouts: { connectMs: 5_000, requestMs: 30_000 },
    });
  });

  it('reads the per-service roles and their external id; none configured: no roles', () => {
    const c = loadConfig([], {
      IDSYNC_QUICKSIGHT_ROLE_ARN: 'arn:aws:iam::111111111111:role/qs',
      IDSYNC_CLOUDTRAIL_ROLE_ARN: ' arn:aws:iam::111111111111:role/ct ',
      IDSYNC_ROLE_EXTERNAL_ID: 'agreed-id',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1003',
    });
    expect(c.aws.roles).toEqual({
      quicksight: 'arn:aws:iam::111111111111:role/qs',
      cloudtrail: 'arn:aws:iam::111111111111:role/ct',
    });
    expect(c.aws.externalId).toBe('agreed-id');
    expect(c.aws.endpoints.sts).toBe('http://127.0.0.1:1003');
    const none = loadConfig([], {});
    expect(none.aws.roles).toBeUndefined();
    expect(none.aws.externalId).toBeUndefined();
  });

  it("reads the activity section: principals whose calls are nobody's activity", () => {
    const c = loadConfig(['activity'], {
      IDSYNC_ACTIVITY_IGNORED_PRINCIPALS: 'idsync-sync-role, arn:aws:iam::123456789012:role/x',
      AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:1002',
    });
    expect(c.activity.ignoredPrincipals).toEqual([
      'idsync-sync-role',
      'arn:aws:iam::123456789012:role/x',
    ]);
    expect(c.aws.endpoints.cloudtrail).toBe('http://127.0.0.1:1002');
    expect(loadConfig(['activity'], {}).activity.ignoredPrincipals).toEqual([]);
  });

  it('reads the regions activity sync reads: the list, else the QuickSight region and AWS_REGION', () => {
    const regions = (env: Record<string, string>) => loadConfig(['activity'], env).activity.regions;
    expect(regions({ IDSYNC_ACTIVITY_REGIONS: ' eu-west-1, us-east-1 ,' })).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(regions({ IDSYNC_QUICKSIGHT_REGION: 'us-east-1', AWS_REGION: 'eu-central-1' })).toEqual([
      'us-east-1',
      'eu-central-1',
    ]);
    expect(regions({ IDSYNC_QUICKSIGHT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' })).toEqual([
      'us-east-1',
    ]);
    expect(regions({ AWS_DEFAULT_REGION: 'ap-south-1' })).toEqual(['ap-south-1']);
    expect(regions({ IDSYNC_ACTIVITY_REGIONS: 'eu-west-1,us-east-1,eu-west-1' })).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(regions({})).toEqual([]);
  });

  it('reads the notice section: off without IDSYNC_NOTICE_FROM; the contact defaults to it', () => {
    expect(loadConfig(['notice'], {}).notice).toEqual({ days: 14, locale: 'en' });
    expect(
      loadConfig(['notice'], {
        IDSYNC_NOTICE_FROM: 'idsync@example.com',
        IDSYNC_NOTICE_DAYS: '0',
        IDSYNC_NOTICE_LOCALE: 'ja',
        IDSYNC_NOTICE_TEMPLATE_DIR: '/etc/idsync/notice',
        AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:1003',
      }),
    ).toMatchObject({
      notice: {
        from: 'idsync@example.com',
        contact: 'idsync@example.com',
        days: 0,
        locale: 'ja',
        templateDir: '/etc/idsync/notice',
      },
      aws: { endpoints: { sesv2: 'http://127.0.0.1:1003' } },
    });
    expect(
      loadConfig(['notice'], { IDSYNC_NOTICE_FROM: 'a@x.com', IDSYNC_NOTICE_CONTACT: 'IT desk' })
        .notice.contact,
    ).toBe('IT desk');
  });

  it('treats a blank optional variable as unset', () => {
    expect(loadConfig(['worker'], { IDSYNC_RATE: '  ' }).worker.rate).toBe(50);
  });
});

describe('loadConfig invalid values', () => {
  const invalid: Record<string, string> = {
    IDSYNC_GOOGLE_GROUPS: 'not-an-email',
    IDSYNC_GOOGLE_SUBJECT: 'admin',
    IDSYNC_GOOGLE_ROOT_URL: 'not a url',
    IDSYNC_IDENTITY_STORE_ID: 'store',
    IDSYNC_QUICKSIGHT_ACCOUNT_ID: '1234',
    IDSYNC_QUICKSIGHT_NAMESPACE: 'bad namespace!',
    IDSYNC_QUICKSIGHT_ACCOUNTS: '123456789012:default@arn:aws:iam::210987654321:role/x',
    IDSYNC_QUICKSIGHT_REGION: 'moon',
    IDSYNC_ACTIVITY_REGIONS: 'us-east-1,moon',
    IDSYNC_TABLE_PREFIX: 'bad prefix',
    IDSYNC_LOG_LEVEL: 'loud',
    IDSYNC_RATE: 'abc',
    IDSYNC_CONCURRENCY: '2.5',
    IDSYNC_LEASE_SECONDS: '1',
    IDSYNC_MAX_DELETIONS: '-1',
    IDSYNC_MAX_DELETION_PERCENT: '150',
    IDSYNC_SNAPSHOT_RETENTION_DAYS: '0',
    IDSYNC_PRICES: 'READER=-3',
    IDSYNC_GROUP_ROLES: 'authors@example.com',
    IDSYNC_INACTIVE_DAYS: '91',
    IDSYNC_INACTIVE_ROLES: 'READER,REEDER',
    IDSYNC_INACTIVE_KEEP_GROUPS: 'not-a-group',
    IDSYNC_ACTIVITY_MAX_LAG_HOURS: '0.1',
    AWS_REGION: 'nowhere',
    AWS_DEFAULT_REGION: 'somewhere',
    AWS_ENDPOINT_URL_SQS: 'z',
    AWS_ENDPOINT_URL: 'localhost',
    AWS_ENDPOINT_URL_DYNAMODB: '::',
    AWS_ENDPOINT_URL_IDENTITYSTORE: 'x',
    AWS_ENDPOINT_URL_QUICKSIGHT: 'y',
    AWS_ENDPOINT_URL_CLOUDTRAIL: 'z',
    AWS_ENDPOINT_URL_SFN: 'w',
    IDSYNC_REVIEW_APPROVAL_DAYS: '31',
    IDSYNC_APPLY: 'maybe',
    IDSYNC_WORKER_QUEUE_URL: 'queue',
    IDSYNC_PROTECTED_ROLES: 'ADMINS;AUTHORS',
    IDSYNC_ASSET_SUCCESSOR: 'two names',
    IDSYNC_PROTECTED_USERS: 'a@example.com;b@example.com',
    IDSYNC_GUARD_WINDOW_HOURS: '0',
    IDSYNC_IDC_ACCOUNT_ID: '12345',
    IDSYNC_IDC_REGION: 'mars-1',
    IDSYNC_CONNECT_TIMEOUT_SECONDS: '0',
    IDSYNC_REQUEST_TIMEOUT_SECONDS: '1e3',
    IDSYNC_SANDBOX_CONTROL: 'javascript:alert(1)',
    AWS_ENDPOINT_URL_STS: 'sts',
    IDSYNC_QUICKSIGHT_ROLE_ARN: 'arn:aws:iam::123456789012:user/x',
    IDSYNC_IDENTITYSTORE_ROLE_ARN: 'role/x',
    IDSYNC_CLOUDTRAIL_ROLE_ARN: 'arn:aws:iam::1:role/x',
    IDSYNC_ROLE_EXTERNAL_ID: 'x',
    AWS_ENDPOINT_URL_SESV2: 'w',
    IDSYNC_NOTICE_FROM: 'idsync',
    IDSYNC_NOTICE_DAYS: '91',
    IDSYNC_NOTICE_LOCALE: 'fr',
    AWS_ENDPOINT_URL_SNS: 'sns',
    AWS_ENDPOINT_URL_S3: 's3',
    IDSYNC_OPERATOR_TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:not-a-topic',
    IDSYNC_REPORTS_BUCKET: 'Reports_Bucket',
    IDSYNC_GOOGLE_GROUP_WRITE: 'yes',
  };

  it('has an invalid example for every variable that can be invalid', () => {
    const free = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'IDSYNC_GOOGLE_CREDENTIALS',
      'IDSYNC_GOOGLE_CREDENTIALS_SECRET',
      'IDSYNC_MANAGED_USERNAME_PREFIX',
      'NO_COLOR',
      'IDSYNC_ACTIVITY_IGNORED_PRINCIPALS',
      'IDSYNC_NOTICE_CONTACT',
      'IDSYNC_NOTICE_TEMPLATE_DIR',
    ];
    expect(Object.keys(invalid).sort()).toEqual(
      VARIABLES.map((v) => v.name)
        .filter((n) => !free.includes(n))
        .sort(),
    );
  });

  for (const [name, value] of Object.entries(invalid)) {
    it(`names ${name} in a one-line error, whichever command runs`, () => {
      const error = errorOf(() => loadConfig([], { [name]: value }));
      expect(error.variable).toBe(name);
      expect(error.message.startsWith(`${name}: `)).toBe(true);
      expect(error.message).not.toContain('\n');
      expect(error.exitCode).toBe(2);
    });
  }

  it('requires the variables of a section only when it is asked for', () => {
    expect(() => loadConfig(['worker'], {})).not.toThrow();
    const error = errorOf(() => loadConfig(['google'], {}));
    expect(error.variable).toBe('IDSYNC_GOOGLE_GROUPS');
    expect(error.message).toMatch(/is required/);
    expect(errorOf(() => loadConfig(['identityStore'], {})).variable).toBe(
      'IDSYNC_IDENTITY_STORE_ID',
    );
    expect(errorOf(() => loadConfig(['quicksight'], {})).variable).toBe(
      'IDSYNC_QUICKSIGHT_ACCOUNT_ID',
    );
  });

  it('reads the Lambda-only settings; dry run unless IDSYNC_APPLY is true', () => {
    expect(loadConfig(['lambda'], {}).lambda).toEqual({
      apply: false,
      workerQueueUrl: undefined,
      googleCredentialsSecret: undefined,
    });
    const c = loadConfig(['lambda'], {
      IDSYNC_APPLY: 'TRUE',
      IDSYNC_WORKER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/idsync-work',
      IDSYNC_GOOGLE_CREDENTIALS_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k',
    });
    expect(c.lambda.apply).toBe(true);
    expect(c.lambda.workerQueueUrl).toMatch(/^https:\/\/sqs/);
    const topic = 'arn:aws:sns:us-east-1:123456789012:Idsync-OperatorsTopic1A2B-x_y';
    expect(
      loadConfig(['lambda'], { IDSYNC_OPERATOR_TOPIC_ARN: topic }).lambda.operatorTopicArn,
    ).toBe(topic);
    expect(
      loadConfig(['report'], { IDSYNC_REPORTS_BUCKET: 'idsync-operatorsreports1a2b-0x9' }).report
        .reportsBucket,
    ).toBe('idsync-operatorsreports1a2b-0x9');
    expect(loadConfig(['lambda'], { IDSYNC_APPLY: 'no' }).lambda.apply).toBe(false);
  });

  it('takes static AWS credentials only as a pair', () => {
    const c = loadConfig([], {
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
    });
    expect(c.aws.credentials).toEqual({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
      sessionToken: 't',
    });
    expect(errorOf(() => loadConfig([], { AWS_ACCESS_KEY_ID: 'AKIA' })).variable).toBe(
      'AWS_SECRET_ACCESS_KEY',
    );
    expect(errorOf(() => loadConfig([], { AWS_SECRET_ACCESS_KEY: 's' })).variable).toBe(
      'AWS_ACCESS_KEY_ID',
    );
  });

  it('rejects an empty group list', () => {
    const error = errorOf(() => loadConfig(['google'], { ...google, IDSYNC_GOOGLE_GROUPS: ' , ' }));
    expect(error.variable).toBe('IDSYNC_GOOGLE_GROUPS');
  });

  it('refuses protection that would vanish on a typo, naming the variable and the bad item', () => {
    const roles = (v: string) => errorOf(() => loadConfig(['plan'], { IDSYNC_PROTECTED_ROLES: v }));
    for (const [value, fragment] of [
      [',', 'item 1 is empty'],
      ['ADMIN,,READER', 'item 2 is empty'],
      ['ADMIN,', 'item 2 is empty'],
      ['ADMINS;AUTHORS', 'unknown role "ADMINS;AUTHORS"'],
      ['ADMIN,SUPERUSER', 'unknown role "SUPERUSER"'],
    ] as const) {
      const error = roles(value);
      expect(error.variable).toBe('IDSYNC_PROTECTED_ROLES');
      expect(error.message).toContain(fragment);
      expect(error.exitCode).toBe(2);
    }
    const users = (v: string) => errorOf(() => loadConfig(['plan'], { IDSYNC_PROTECTED_USERS: v }));
    expect(users('a@x.com;b@x.com').message).toContain('"a@x.com;b@x.com" is not an email');
    expect(users('a@x.com,,b@x.com').message).toContain('item 2 is empty');
    expect(users('john smith').message).toContain('is not an email or a QuickSight user name');
    expect(users('a@b@c').variable).toBe('IDSYNC_PROTECTED_USERS');
  });

  it('takes QuickSight role names in any case, and `none` for no protected role', () => {
    const roles = (v: string) =>
      loadConfig(['plan'], { IDSYNC_PROTECTED_ROLES: v }).plan.protectedRoles;
    expect(roles('none')).toEqual([]);
    expect(roles('NONE')).toEqual([]);
    expect(roles('reader_pro, Restricted_Author')).toEqual(['READER_PRO', 'RESTRICTED_AUTHOR']);
    expect(
      loadConfig(['plan'], { IDSYNC_PROTECTED_USERS: 'boss@example.com, Admin/jane' }).plan
        .protectedUsers,
    ).toEqual(['boss@example.com', 'Admin/jane']);
  });

  it('defaults the IdC account to the QuickSight account', () => {
    const c = loadConfig(['identityStore'], {
      IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
    });
    expect(c.identityStore.accountId).toBe('123456789012');
  });

  it.each([
    ['IDSYNC_RATE', '1e-9', /plain decimal number from 0\.1 to 1000/],
    ['IDSYNC_RATE', '0.01', /from 0\.1 to 1000/],
    ['IDSYNC_RATE', 'Infinity', /plain decimal/],
    ['IDSYNC_RATE', 'NaN', /plain decimal/],
    ['IDSYNC_CONCURRENCY', '0x10', /whole number from 1 to 256/],
    ['IDSYNC_CONCURRENCY', '1000', /from 1 to 256/],
    ['IDSYNC_MAX_DELETIONS', '1e3', /whole number/],
    ['IDSYNC_MAX_DELETION_PERCENT', '0', /above 0, at most 100/],
    ['IDSYNC_MAX_DELETION_PERCENT', ' 0b1 ', /plain decimal/],
    ['IDSYNC_SNAPSHOT_RETENTION_DAYS', '+7', /whole number/],
    ['IDSYNC_PRICES', 'READER=3.', /plain decimal from 0 to 1000/],
    ['IDSYNC_REQUEST_TIMEOUT_SECONDS', '-5', /from 0\.1 to 900/],
    ['IDSYNC_GOOGLE_ROOT_URL', 'javascript:alert(1)', /http\(s\) URL/],
    ['AWS_ENDPOINT_URL_QUICKSIGHT', 'file:///etc/passwd', /http\(s\) URL/],
    ['AWS_ENDPOINT_URL', 'ftp://127.0.0.1/', /http\(s\) URL/],
  ])('rejects %s=%s (only plain, bounded decimals; only http(s) URLs)', (name, value, problem) => {
    const error = errorOf(() => loadConfig([], { [name]: value }));
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(problem);
  });

  it('accepts plain decimals within bounds and converts timeouts to ms', () => {
    const c = loadConfig(['worker', 'plan'], {
      IDSYNC_RATE: '0.5',
      IDSYNC_CONCURRENCY: '256',
      IDSYNC_MAX_DELETIONS: '0',
      IDSYNC_MAX_DELETION_PERCENT: '0.5',
      IDSYNC_CONNECT_TIMEOUT_SECONDS: '0.25',
      IDSYNC_REQUEST_TIMEOUT_SECONDS: '2',
    });
    expect(c.worker).toEqual({ rate: 0.5, concurrency: 256, leaseMs: 20_000 });
    expect(c.plan.maxDeletions).toBe(0);
    expect(c.plan.maxDeletionPercent).toBe(0.5);
    expect(c.aws.timeouts).toEqual({ connectMs: 250, requestMs: 2000 });
  });

  it('does not echo very long values in full', () => {
    const error = errorOf(() => loadConfig([], { IDSYNC_RATE: 'x'.repeat(500) }));
    expect(error.message.length).toBeLessThan(140);
  });
});
