// The baseline of the status-read benchmark: a bare fastify route that reads the same rows of the
// same SQLite file straight through better-sqlite3 and answers the same JSON, with no token check,
// headers, Nest or TypeORM. It reads the rows on every request, as arrays of the columns each list
// needs (the quickest way the driver gives them); it keeps nothing in memory between requests.
// Usage: node bare-status.server.js <sqlite file>; prints its URL.
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';

const LIMIT = 1024;
const db = new BetterSqlite3(process.argv[2], { readonly: true, fileMustExist: true });
const batchRow = db.prepare('SELECT * FROM batches WHERE tenant_id = ? AND id = ? AND target_type = ? AND intake_open = 0');
const successHead = db.prepare("SELECT ref_id, row, result_id FROM batch_items WHERE batch_pk = ? AND state = 'success' ORDER BY seq LIMIT ?").raw(true);
const failureHead = db.prepare("SELECT ref_id, row, reason, code FROM batch_items WHERE batch_pk = ? AND state = 'failed' ORDER BY seq LIMIT ?").raw(true);

type Row = Record<string, unknown>;
const app = Fastify();
app.get('/core/api/v2/containers/:type/batch/status', async (request, reply) => {
  const { type } = request.params as { type: string };
  const batchId = (request.query as { batchId: string }).batchId;
  const b = batchRow.get(request.headers['x-coreos-tid'], batchId, type) as Row | undefined;
  if (!b) return reply.code(404).send({ error: { code: 'BATCH_NOT_FOUND' } });
  const successes = successHead.all(b.pk, LIMIT + 1) as Array<[string, number | null, string]>;
  const failures = failureHead.all(b.pk, LIMIT + 1) as Array<[string, number | null, string, string]>;
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
      },
      errors: failures.slice(0, LIMIT).map(([refID, row, reason, code]) => (row === null ? { refID, reason, code } : { refID, reason, code, row })),
      success: successes.slice(0, LIMIT).map(([refID, row, id]) => (row === null ? { refID, id } : { refID, id, row })),
    },
    request: { uri: url.split('?')[0], method: 'GET', queryString: url.split('?')[1] ?? '', body: {} },
  };
});
// A failure to listen stays an unhandled rejection: the process exits with its stack.
void app.listen({ port: 0, host: '127.0.0.1' }).then((url) => process.stdout.write(`${JSON.stringify({ url })}\n`));
