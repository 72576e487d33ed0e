import { randomUUID } from 'node:crypto';
import { Faults } from '../http/faults.js';
import { startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import { escapeXml, sendXml } from '../http/xml.js';

/**
 * The SNS stand-in (the query protocol: `POST /`, a form body `Action=Publish&TopicArn=…`, XML
 * answers): Publish to the topics it knows, recording every message, so the sandbox shows what
 * the operators would receive. Like SNS it refuses a topic that does not exist (`NotFound`,
 * 404), a Subject over 100 characters or holding a line break or control character, an empty
 * Message or one over 256 KB (`InvalidParameter`, 400), and any other action
 * (`InvalidAction`, 400).
 */

/** A message the stand-in accepted. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly at: string;
}

export interface SnsStandIn extends StandIn {
  /** Every accepted message, oldest first. */
  readonly published: readonly PublishedMessage[];
  /** The topics Publish accepts. */
  readonly topics: Set<string>;
}

export const MAX_SUBJECT_LENGTH = 100;
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** Why SNS would refuse this Subject, or undefined when it takes it. */
export function subjectProblem(subject: string): string | undefined {
  if (subject.length === 0) return 'Subject must not be empty';
  if (subject.length > MAX_SUBJECT_LENGTH)
    return `Subject must be at most ${MAX_SUBJECT_LENGTH} characters`;
  // ASCII text, no line breaks or control characters.
  if (!/^[\x20-\x7e]+$/.test(subject)) return 'Subject must be printable ASCII on one line';
  return undefined;
}

export async function startSnsStandIn(
  topics: readonly string[],
  options: StandInOptions = {},
): Promise<SnsStandIn> {
  const faults = new Faults(options.faults ?? {}, options.random);
  const published: PublishedMessage[] = [];
  const known = new Set(topics);
  const error = (code: string, message: string) =>
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  const server = await startServer((req, res, body) => {
    if (req.method !== 'POST')
      return sendXml(res, 400, error('InvalidAction', 'only POST is supported'));
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action');
    if (action !== 'Publish')
      return sendXml(res, 400, error('InvalidAction', `${action ?? '(none)'} is not valid`));
    const topicArn = form.get('TopicArn') ?? '';
    if (!known.has(topicArn)) return sendXml(res, 404, error('NotFound', 'Topic does not exist'));
    const subject = form.get('Subject') ?? undefined;
    const problem = subject === undefined ? undefined : subjectProblem(subject);
    if (problem)
      return sendXml(res, 400, error('InvalidParameter', `Invalid parameter: ${problem}`));
    const message = form.get('Message') ?? '';
    if (message.length === 0 || Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES)
      return sendXml(res, 400, error('InvalidParameter', 'Invalid parameter: Message'));
    const messageId = randomUUID();
    published.push({
      messageId,
      topicArn,
      ...(subject !== undefined ? { subject } : {}),
      message,
      at: new Date().toISOString(),
    });
    return sendXml(
      res,
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }, options.port);
  return {
    endpoint: server.endpoint,
    faults,
    published,
    topics: known,
    close: () => server.close(),
  };
}
