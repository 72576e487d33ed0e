import { createHash } from 'node:crypto';
import { Faults } from '../http/faults.js';
import { startServer } from '../http/server.js';
import type { StandIn, StandInOptions } from '../http/stand-in.js';
import { escapeXml, sendXml } from '../http/xml.js';

/**
 * The S3 stand-in (REST, path-style `/<bucket>/<key>`): PutObject, GetObject and ListObjectsV2
 * (`GET /<bucket>?list-type=2&prefix=…`, up to 1,000 keys a page with a continuation token) on
 * the buckets it knows, in memory. Like S3 it answers `NoSuchBucket` (404) for another bucket,
 * `NoSuchKey` (404) for a missing object, and keeps each object's Content-Type. Signatures are
 * not checked, so a pre-signed GET URL works as a plain GET, as it does against S3.
 */

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: string;
}

export interface S3StandIn extends StandIn {
  /** bucket → key → object. */
  readonly buckets: Map<string, Map<string, StoredObject>>;
}

const PAGE = 1000;

function errorXml(code: string, message: string): string {
  return `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
}

export async function startS3StandIn(
  buckets: readonly string[],
  options: StandInOptions = {},
): Promise<S3StandIn> {
  const faults = new Faults(options.faults ?? {}, options.random);
  const store = new Map(buckets.map((b) => [b, new Map<string, StoredObject>()]));
  const server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const objects = store.get(bucket);
    if (!objects)
      return sendXml(res, 404, errorXml('NoSuchBucket', 'The specified bucket does not exist'));
    if (req.method === 'PUT' && key) {
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      objects.set(key, {
        body,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        etag,
        lastModified: new Date().toUTCString(),
      });
      res.writeHead(200, { etag, 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'GET' && key) {
      const found = objects.get(key);
      if (!found)
        return sendXml(res, 404, errorXml('NoSuchKey', 'The specified key does not exist.'));
      res.writeHead(200, {
        'content-type': found.contentType,
        'content-length': found.body.length,
        etag: found.etag,
        'last-modified': found.lastModified,
      });
      res.end(found.body);
      return;
    }
    if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const after = url.searchParams.get('continuation-token') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = keys.slice(0, PAGE);
      const truncated = keys.length > page.length;
      const contents = page
        .map((k) => {
          const o = objects.get(k) as StoredObject;
          return `<Contents><Key>${escapeXml(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join('');
      return sendXml(
        res,
        200,
        `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${PAGE}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${truncated ? `<NextContinuationToken>${escapeXml(page[page.length - 1] ?? '')}</NextContinuationToken>` : ''}</ListBucketResult>`,
      );
    }
    return sendXml(res, 405, errorXml('MethodNotAllowed', 'The specified method is not allowed'));
  }, options.port);
  return { endpoint: server.endpoint, faults, buckets: store, close: () => server.close() };
}
