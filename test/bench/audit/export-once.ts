/**
 * Child process of the audit benchmark: one `idsync audit` export through the run function
 * (argv: endpoint, format, out, then --run ID or --since ISO), timed inside, result as one JSON
 * line. The parent runs it under /usr/bin/time for its peak RSS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditFormat } from '../../../services/audit/audit-format.js';
import { runAudit } from '../../../services/audit/run-audit.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { tableNames } from '../../../shared/tables.js';

const [endpoint, format, out, flag, value] = process.argv.slice(2) as [
  string,
  AuditFormat,
  string,
  string,
  string,
];
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const doc = DynamoDBDocumentClient.from(client);
const table = tableNames('bench').audit;
const started = performance.now();
const result = await runAudit(
  { audit: new DynamoAuditLog(doc, table), doc, auditTable: table },
  { filters: flag === '--run' ? { runId: value } : { since: value }, format, out },
);
const ms = performance.now() - started;
client.destroy();
process.stdout.write(`${JSON.stringify({ ...result, ms })}\n`);
