import { randomUUID } from 'node:crypto';
import type { IssuedSession } from './sts-state.js';

/**
 * STS's Query protocol as the stand-in speaks it: a form-encoded `POST /` (`Action=AssumeRole&
 * Version=2011-06-15&RoleArn=…`), answered in XML (`AssumeRoleResponse` /
 * `AssumeRoleResult`, or `ErrorResponse` with `Type`, `Code` and `Message`), which the SDK's
 * awsQuery protocol reads into its result and error classes.
 */

export const STS_VERSION = '2011-06-15';
const NAMESPACE = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;

export interface XmlReply {
  readonly status: number;
  readonly body: string;
}

/** STS's error codes the stand-in answers with, and their HTTP status. */
export const StsErrors = {
  AccessDenied: 403,
  ValidationError: 400,
  InvalidAction: 400,
  MissingParameter: 400,
  Throttling: 400,
  InternalFailure: 500,
} as const;
export type StsErrorCode = keyof typeof StsErrors;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function assumeRoleReply(session: IssuedSession): XmlReply {
  const expiration = new Date(session.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    status: 200,
    body: [
      `<AssumeRoleResponse xmlns="${NAMESPACE}">`,
      '  <AssumeRoleResult>',
      '    <AssumedRoleUser>',
      `      <Arn>${escapeXml(session.assumedRoleArn)}</Arn>`,
      `      <AssumedRoleId>${escapeXml(session.assumedRoleId)}</AssumedRoleId>`,
      '    </AssumedRoleUser>',
      '    <Credentials>',
      `      <AccessKeyId>${session.accessKeyId}</AccessKeyId>`,
      `      <SecretAccessKey>${escapeXml(session.secretAccessKey)}</SecretAccessKey>`,
      `      <SessionToken>${escapeXml(session.sessionToken)}</SessionToken>`,
      `      <Expiration>${expiration}</Expiration>`,
      '    </Credentials>',
      '  </AssumeRoleResult>',
      '  <ResponseMetadata>',
      `    <RequestId>${randomUUID()}</RequestId>`,
      '  </ResponseMetadata>',
      '</AssumeRoleResponse>',
    ].join('\n'),
  };
}

export function errorXml(code: StsErrorCode, message: string): XmlReply {
  return {
    status: StsErrors[code],
    body: [
      `<ErrorResponse xmlns="${NAMESPACE}">`,
      '  <Error>',
      `    <Type>${StsErrors[code] >= 500 ? 'Receiver' : 'Sender'}</Type>`,
      `    <Code>${code}</Code>`,
      `    <Message>${escapeXml(message)}</Message>`,
      '  </Error>',
      `  <RequestId>${randomUUID()}</RequestId>`,
      '</ErrorResponse>',
    ].join('\n'),
  };
}
