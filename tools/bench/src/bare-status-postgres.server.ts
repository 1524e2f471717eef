// The baseline of the PostgreSQL status read: a bare fastify route that reads the same rows of the
// same database straight through node-postgres and answers the same JSON, with no token check,
// headers, Nest or TypeORM (bare-status.server.ts is its SQLite twin). A pool of as many
// connections as the service's (DATABASE_POOL_MAX's default, 10); named statements, so each
// connection parses them once; the lists read as arrays of the columns each needs. It reads the
// rows on every request and keeps nothing in memory between requests.
// Usage: node bare-status-postgres.server.js <postgres url>; prints its URL.
import { batchProgress } from '@container-service/batch-domain';
import Fastify from 'fastify';
import { Pool } from 'pg';

const LIMIT = 1024;
const pool = new Pool({ connectionString: process.argv[2], max: 10 });
const batchRow = {
  name: 'batch-row',
  text: 'SELECT * FROM batches WHERE tenant_id = $1 AND id = $2 AND target_type = $3 AND intake_open = 0',
};
const successHead = {
  name: 'success-head',
  text: "SELECT ref_id, row, result_id FROM batch_outcomes WHERE batch_pk = $1 AND state = 'success' ORDER BY seq LIMIT $2",
  rowMode: 'array',
};
const failureHead = {
  name: 'failure-head',
  text: "SELECT ref_id, row, reason, code FROM batch_outcomes WHERE batch_pk = $1 AND state = 'failed' ORDER BY seq LIMIT $2",
  rowMode: 'array',
};

type Row = Record<string, unknown>;

/** Who made the batch, as the service answers it: the stored actor, or the tenant when none was stored. */
function actionBy(stored: unknown, tenantId: unknown): Record<string, unknown> {
  if (typeof stored !== 'string') return { id: tenantId };
  const { id, name, appID } = JSON.parse(stored) as { id: string; name?: string; appID?: string };
  return { id, ...(name !== undefined ? { name } : {}), ...(appID !== undefined ? { appID } : {}) };
}
const app = Fastify();
app.get('/core/api/v2/containers/:type/batch/status', async (request, reply) => {
  const { type } = request.params as { type: string };
  const batchId = (request.query as { batchId: string }).batchId;
  const b = (await pool.query<Row>({ ...batchRow, values: [request.headers['x-coreos-tid'], batchId, type] })).rows[0];
  if (!b) return reply.code(404).send({ error: { code: 'BATCH_NOT_FOUND' } });
  // Both lists at once, as the service reads them, each on a connection of its own.
  const [successes, failures] = await Promise.all([
    pool.query<[string, number | null, string]>({ ...successHead, values: [b.pk, LIMIT + 1] }),
    pool.query<[string, number | null, string, string]>({ ...failureHead, values: [b.pk, LIMIT + 1] }),
  ]).then(([s, f]) => [s.rows, f.rows] as const);
  const total = Number(b.total);
  const [success, failed, cancelled] = [Number(b.success), Number(b.failed), Number(b.cancelled)];
  const url = request.raw.url ?? '';
  return {
    data: {
      meta: {
        status:
          b.cancelled_at !== null
            ? 'CANCELLED'
            : success + failed + cancelled < total
              ? 'IN_PROGRESS'
              : failed === 0
                ? 'SUCCESS'
                : success === 0
                  ? 'FAILED'
                  : 'PARTIAL_SUCCESS',
        success,
        failed,
        total,
        batchId: b.id,
        containerType: b.target_type,
        operation: b.operation,
        source: b.source,
        pending: total - success - failed - cancelled,
        cancelled,
        createdAt: Number(b.created_at),
        startedAt: b.started_at === null ? null : Number(b.started_at),
        completedAt: b.completed_at === null ? null : Number(b.completed_at),
        hasMore: successes.length > LIMIT || failures.length > LIMIT,
        callback: { state: b.callback_state, attempts: b.callback_attempts },
        // The same arithmetic as the service's (contract §3 meta.progress), over the same row.
        progress: batchProgress(
          {
            total,
            success,
            failed,
            cancelled,
            startedAt: b.started_at === null ? null : Number(b.started_at),
            completedAt: b.completed_at === null ? null : Number(b.completed_at),
            rateWindow:
              b.rate_from_at === null
                ? null
                : { fromAt: Number(b.rate_from_at), fromDone: Number(b.rate_from_done), markAt: Number(b.rate_mark_at), markDone: Number(b.rate_mark_done) },
          },
          Date.now(),
        ),
        createdBy: actionBy(b.created_by, b.tenant_id),
        ...(b.parent_batch_id === null ? {} : { parentBatchId: b.parent_batch_id }),
      },
      errors: failures.slice(0, LIMIT).map(([refID, row, reason, code]) => (row === null ? { refID, reason, code } : { refID, reason, code, row })),
      success: successes.slice(0, LIMIT).map(([refID, row, id]) => (row === null ? { refID, id } : { refID, id, row })),
    },
    request: { uri: url.split('?')[0], method: 'GET', queryString: url.split('?')[1] ?? '', body: {} },
  };
});
// A failure to listen stays an unhandled rejection: the process exits with its stack.
void app.listen({ port: 0, host: '127.0.0.1' }).then((url) => process.stdout.write(`${JSON.stringify({ url })}\n`));
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
