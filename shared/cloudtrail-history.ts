/**
 * CloudTrail's LookupEvents keeps 90 days of management events: the most history `activity sync`
 * can read (services/activity/sync-windows.ts), so also the most days `--days` and
 * IDSYNC_INACTIVE_DAYS may ask an idle verdict to rest on.
 */
export const CLOUDTRAIL_HISTORY_DAYS = 90;
