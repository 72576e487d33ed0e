import type { Config } from '../config/index.js';
import { createGroupMemberWriter, type GoogleGroupMembers } from './google-group-members.js';

/**
 * The Google member writer (IDSYNC_GOOGLE_GROUP_WRITE=on) from configuration: the key file,
 * subject and root URL of the snapshot's Google settings, the request timeout of the AWS calls.
 * Apart from shared/clients-from-config.ts so that a process that never writes groups does not
 * load the Google client.
 */
export function buildGroupMemberWriter(config: Pick<Config, 'google' | 'aws'>): GoogleGroupMembers {
  const timeouts = config.aws.timeouts;
  return createGroupMemberWriter({
    credentialsPath: config.google.credentialsPath,
    subject: config.google.subject,
    rootUrl: config.google.rootUrl,
    ...(timeouts ? { timeoutMs: timeouts.requestMs } : {}),
  });
}
