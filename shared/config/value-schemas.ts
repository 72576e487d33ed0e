import * as z from 'zod';
import { parseAssetSuccessor } from '../asset-successor.js';
import { ROLE_ARN_PATTERN } from '../aws/role-arn.js';
import { parseGroupRoles } from '../group-roles.js';
import { parsePrices } from '../prices.js';
import { parseQuickSightAccounts } from '../quicksight-scopes.js';
import { PLAIN_DECIMAL, PLAIN_INTEGER } from './plain-numbers.js';

/**
 * The value types of idsync's environment variables (zod schemas): trimmed text, emails, bounded
 * plain-decimal numbers, http(s) URLs, booleans, QuickSight roles and the strict protection
 * lists. shared/config/variables.ts names the variables that use them.
 */

export const trimmed = z.string().trim();
export const nonEmpty = trimmed.min(1, 'must not be empty');
export const csvList = trimmed.transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0),
);
export const email = nonEmpty.pipe(z.email('must be an email address'));
/** An AWS region name such as us-east-1. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const awsRegion = nonEmpty.regex(
  AWS_REGION_PATTERN,
  'must be an AWS region such as us-east-1',
);
/** A comma-separated list of AWS regions, at least one. */
export const awsRegionList = csvList.pipe(
  z
    .array(
      z.string().regex(AWS_REGION_PATTERN, 'each entry must be an AWS region such as us-east-1'),
    )
    .min(1, 'must list at least one region'),
);
export const accountId = nonEmpty.regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
export const emailList = csvList.pipe(
  z.array(z.email('each entry must be an email address')).min(1, 'must list at least one group'),
);
/** Like `emailList`, but may be empty (an optional list of groups). */
export const optionalEmailList = csvList.pipe(
  z.array(z.email('each entry must be an email address')),
);

/** A decimal number within [min, max]; the message names the bounds. */
export function decimal(min: number, max: number, options: { exclusiveMin?: boolean } = {}) {
  const range = options.exclusiveMin ? `above ${min}, at most ${max}` : `from ${min} to ${max}`;
  return nonEmpty
    .regex(PLAIN_DECIMAL, `must be a plain decimal number ${range}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .refine((n) => (options.exclusiveMin ? n > min : n >= min) && n <= max, `must be ${range}`),
    );
}

/** A whole number within [min, max]. */
export function whole(min: number, max: number) {
  return nonEmpty
    .regex(PLAIN_INTEGER, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`));
}

/** An absolute http(s) URL (no `javascript:`, `file:`, …). */
export const url = nonEmpty.refine((s) => {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
}, 'must be an http(s) URL such as http://127.0.0.1:4566');
export const bool = trimmed
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** QuickSight's user roles (the API's `UserRole` values). */
export const QUICKSIGHT_ROLES = [
  'ADMIN',
  'AUTHOR',
  'READER',
  'ADMIN_PRO',
  'AUTHOR_PRO',
  'READER_PRO',
  'RESTRICTED_AUTHOR',
  'RESTRICTED_READER',
] as const;

/** Comma-separated items, none of them empty: `a,,b` and `,` are errors, not "nothing". */
export function strictItems(raw: string, ctx: z.RefinementCtx): string[] | undefined {
  const items = raw.split(',').map((p) => p.trim());
  const empty = items.findIndex((p) => p.length === 0);
  if (empty >= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `item ${empty + 1} is empty (separate items with single commas)`,
    });
    return undefined;
  }
  return items;
}

/** IDSYNC_PRICES: `ROLE=PRICE` entries on top of the default price table (shared/prices.ts). */
export const priceTable = trimmed.transform((raw, ctx) => {
  const parsed = parsePrices(raw);
  if (parsed.ok) return parsed.prices;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

/** IDSYNC_ASSET_SUCCESSOR: a QuickSight user name or `manager:<fallback>` (shared/asset-successor.ts). */
export const assetSuccessor = trimmed.transform((raw, ctx) => {
  const parsed = parseAssetSuccessor(raw);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

/** IDSYNC_GROUP_ROLES: `GROUP=ROLE` entries, the role each group grants (shared/group-roles.ts). */
export const groupRoles = trimmed.transform((raw, ctx) => {
  const parsed = parseGroupRoles(raw);
  if (parsed.ok) return parsed.map;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

export const protectedRoles = trimmed.transform((raw, ctx) => {
  if (raw.toLowerCase() === 'none') return [] as string[];
  const items = strictItems(raw, ctx);
  if (items === undefined) return z.NEVER;
  const roles = items.map((r) => r.toUpperCase());
  const unknown = roles.find((r) => !(QUICKSIGHT_ROLES as readonly string[]).includes(r));
  if (unknown !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown role ${JSON.stringify(unknown)} (allowed: ${QUICKSIGHT_ROLES.join(', ')}, or none)`,
    });
    return z.NEVER;
  }
  return roles;
});

/** An email, or a QuickSight user name (`name` or `role/session`): no spaces, `;` or quotes. */
export const PROTECTED_USER = /^[A-Za-z0-9._%+=@/-]{1,512}$/;

export const protectedUsers = trimmed.transform((raw, ctx) => {
  const items = strictItems(raw, ctx);
  if (items === undefined) return z.NEVER;
  const bad = items.find(
    (u) =>
      !PROTECTED_USER.test(u) ||
      (u.includes('@') && !/^[^@]+@[^@]+\.[^@]+$/.test(u.slice(u.lastIndexOf('/') + 1))),
  );
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 37)}...` : bad)} is not an email or a QuickSight user name (separate items with commas)`,
    });
    return z.NEVER;
  }
  return items;
});

export const roleList = csvList
  .transform((roles) => roles.map((r) => r.toUpperCase()))
  .pipe(
    z
      .array(z.enum(QUICKSIGHT_ROLES, `each entry must be one of ${QUICKSIGHT_ROLES.join(', ')}`))
      .min(1, 'must list at least one role'),
  );

/**
 * An IAM role ARN in any partition: `arn:aws:iam::123456789012:role/name` (a path allowed, as
 * `role/path/name`); role names are 1 to 64 of `[\w+=,.@-]`, and AssumeRole takes at most 2048
 * characters.
 */
export const roleArn = nonEmpty
  .max(2048, 'must be at most 2048 characters (an IAM role ARN)')
  .regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/idsync');

/** STS's `ExternalId`: 2 to 1224 of letters, digits and `_+=,.@:/-`. */
export const externalId = nonEmpty
  .min(2, 'must be 2 to 1224 characters')
  .max(1224, 'must be 2 to 1224 characters')
  .regex(/^[\w+=,.@:/-]+$/, 'may hold only letters, digits and _ + = , . @ : / -');

/** IDSYNC_QUICKSIGHT_ACCOUNTS: `account[:namespace…][@role-arn]` entries (shared/quicksight-scopes.ts). */
export const quickSightAccounts = trimmed.transform((raw, ctx) => {
  const parsed = parseQuickSightAccounts(raw);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});
