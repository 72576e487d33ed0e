/**
 * The CloudTrail event sources and names idsync takes, written once for the jobs and the CDK
 * stack: the IdC user events (the event parser, services/events, accepts exactly these, and the
 * EventBridge rule, infra/constructs/triggers.ts, routes exactly these) and QuickSight's events
 * (activity: attribution, the CloudTrail lookup, the live recorder, and the rule in
 * infra/constructs/activity.ts).
 *
 * EventBridge delivers a CloudTrail record with the envelope `source` `aws.<service prefix>`,
 * the prefix being the part of `eventSource` before `.amazonaws.com`. No application can put
 * an event with an `aws.` source, so a matching source plus the configured account marks a
 * genuine AWS event.
 */

export const IDC_EVENT_SOURCES = [
  'identitystore.amazonaws.com',
  'sso-directory.amazonaws.com',
  'identitystore-scim.amazonaws.com',
] as const;
export type IdcEventSource = (typeof IDC_EVENT_SOURCES)[number];

/**
 * DeleteUser removes a person; the others change an IdC user, so its identity-map record is
 * refreshed (PutUser / PatchUser from SCIM, UpdateUser from the IdentityStore API and console).
 */
export const IDC_EVENT_NAMES = [
  'DeleteUser',
  'CreateUser',
  'PutUser',
  'PatchUser',
  'UpdateUser',
] as const;
export type IdcEventName = (typeof IDC_EVENT_NAMES)[number];

/** EventBridge's `detail-type` of a CloudTrail record. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail' as const;

const SUFFIX = '.amazonaws.com';

/** EventBridge `source` of a CloudTrail event source: `aws.identitystore-scim` for SCIM, etc. */
export function eventBridgeSourceOf(eventSource: string): string {
  const prefix = eventSource.endsWith(SUFFIX) ? eventSource.slice(0, -SUFFIX.length) : eventSource;
  return `aws.${prefix}`;
}

/** The three EventBridge sources of IDC_EVENT_SOURCES. */
export const IDC_EVENTBRIDGE_SOURCES: readonly string[] =
  IDC_EVENT_SOURCES.map(eventBridgeSourceOf);

/** CloudTrail's `eventSource` of every QuickSight API call. */
export const QUICKSIGHT_EVENT_SOURCE = 'quicksight.amazonaws.com';
/** Its EventBridge `source`: `aws.quicksight`. */
export const QUICKSIGHT_EVENTBRIDGE_SOURCE = eventBridgeSourceOf(QUICKSIGHT_EVENT_SOURCE);
