import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * The reports bucket (IDSYNC_REPORTS_BUCKET): the monthly review's files are under
 * `runs/<runId>/`, its final report also as `runs/<runId>/report.html` (`reportKey`), the one
 * `idsync report --run` reads. Put, get and list through `@aws-sdk/client-s3`;
 * `presignedGetUrl` makes the link a notice carries (`@aws-sdk/s3-request-presigner`).
 */

export type ReportFile = 'report.html';

/** Every report in the bucket is under this prefix (the stack grants the review function it). */
export const RUN_REPORTS_PREFIX = 'runs/';

export function reportKey(runId: string, file: ReportFile): string {
  return `${RUN_REPORTS_PREFIX}${runId}/${file}`;
}

export class S3Reports {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** The object's text, or undefined when there is none (NoSuchKey). */
  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** Every key under `prefix`, page by page. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** A GET link to `key` that works without AWS credentials for `expiresInSeconds`. */
  presignedGetUrl(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }
}
