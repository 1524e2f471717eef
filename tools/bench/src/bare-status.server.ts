// The baselines of the status-read benchmarks: a bare fastify route over the same SQLite file,
// straight through better-sqlite3, answering the same JSON as the service, with no token check,
// headers, Nest or TypeORM. The batch row is read on every request; the result lists (as arrays
// of the columns each list needs, the quickest way the driver gives them) either
//  - `read`: on every request, nothing kept between requests;
//  - `objects`: once a batch is finished, from a map of the lists as objects, serialised again on
//    every answer (the service's design before its answers were cached as text, ADR 0011);
//  - `text`: once a batch is finished, from a map of the lists' JSON text, spliced into the answer
//    (the best a hand-written route can do: the lists are serialised once).
// Usage: node bare-status.server.js <sqlite file> [read|objects|text]; prints its URL.
import { batchProgress } from '@container-service/batch-domain';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';

const LIMIT = 1024;
const mode = (process.argv[3] ?? 'read') as 'read' | 'objects' | 'text';
const db = new BetterSqlite3(process.argv[2], { readonly: true, fileMustExist: true });
const batchRow = db.prepare('SELECT * FROM batches WHERE tenant_id = ? AND id = ? AND target_type = ? AND intake_open = 0');
const successHead = db
  .prepare(
    "SELECT ref_id, row, result_id FROM batch_outcomes INDEXED BY ix_batch_outcomes_state_seq WHERE batch_pk = ? AND state = 'success' ORDER BY seq LIMIT ?",
  )
  .raw(true);
const failureHead = db
  .prepare(
    "SELECT ref_id, row, reason, code FROM batch_outcomes INDEXED BY ix_batch_outcomes_state_seq WHERE batch_pk = ? AND state = 'failed' ORDER BY seq LIMIT ?",
  )
  .raw(true);

type Row = Record<string, unknown>;
interface Lists {
  readonly errors: object[];
  readonly success: object[];
  readonly hasMore: boolean;
}

/** Who made the batch, as the service answers it: the stored actor, or the tenant when none was stored. */
function actionBy(stored: unknown, tenantId: unknown): Record<string, unknown> {
  if (typeof stored !== 'string') return { id: tenantId };
  const { id, name, appID } = JSON.parse(stored) as { id: string; name?: string; appID?: string };
  return { id, ...(name !== undefined ? { name } : {}), ...(appID !== undefined ? { appID } : {}) };
}

function readLists(pk: unknown): Lists {
  const successes = successHead.all(pk, LIMIT + 1) as Array<[string, number | null, string]>;
  const failures = failureHead.all(pk, LIMIT + 1) as Array<[string, number | null, string, string]>;
  return {
    errors: failures.slice(0, LIMIT).map(([refID, row, reason, code]) => (row === null ? { refID, reason, code } : { refID, reason, code, row })),
    success: successes.slice(0, LIMIT).map(([refID, row, id]) => (row === null ? { refID, id } : { refID, id, row })),
    hasMore: successes.length > LIMIT || failures.length > LIMIT,
  };
}

// Keyed by the batch row's key; a benchmark reads a handful of batches, so no bound is needed here.
const objects = new Map<unknown, Lists>();
const texts = new Map<unknown, { errors: string; success: string; hasMore: boolean }>();

function meta(b: Row, hasMore: boolean): Record<string, unknown> {
  const total = Number(b.total);
  const [success, failed, cancelled] = [Number(b.success), Number(b.failed), Number(b.cancelled)];
  const startedAt = b.started_at === null ? null : Number(b.started_at);
  const completedAt = b.completed_at === null ? null : Number(b.completed_at);
  return {
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
    startedAt,
    completedAt,
    hasMore,
    callback: { state: b.callback_state, attempts: b.callback_attempts },
    // The same arithmetic as the service's (contract §3 meta.progress), over the same row.
    progress: batchProgress(
      {
        total,
        success,
        failed,
        cancelled,
        startedAt,
        completedAt,
        rateWindow:
          b.rate_from_at === null
            ? null
            : { fromAt: Number(b.rate_from_at), fromDone: Number(b.rate_from_done), markAt: Number(b.rate_mark_at), markDone: Number(b.rate_mark_done) },
      },
      Date.now(),
    ),
    createdBy: actionBy(b.created_by, b.tenant_id),
    ...(b.parent_batch_id === null ? {} : { parentBatchId: b.parent_batch_id }),
  };
}

const app = Fastify();
app.get('/core/api/v2/containers/:type/batch/status', async (request, reply) => {
  const { type } = request.params as { type: string };
  const batchId = (request.query as { batchId: string }).batchId;
  const b = batchRow.get(request.headers['x-coreos-tid'], batchId, type) as Row | undefined;
  if (!b) return reply.code(404).send({ error: { code: 'BATCH_NOT_FOUND' } });
  const finished = Number(b.success) + Number(b.failed) + Number(b.cancelled) >= Number(b.total);
  const url = request.raw.url ?? '';
  const echo = { uri: url.split('?')[0], method: 'GET', queryString: url.split('?')[1] ?? '', body: {} };
  if (mode === 'text' && finished) {
    let lists = texts.get(b.pk);
    if (lists === undefined) {
      const read = readLists(b.pk);
      lists = { errors: JSON.stringify(read.errors), success: JSON.stringify(read.success), hasMore: read.hasMore };
      texts.set(b.pk, lists);
    }
    return reply
      .type('application/json; charset=utf-8')
      .send(
        `{"data":{"meta":${JSON.stringify(meta(b, lists.hasMore))},"errors":${lists.errors},"success":${lists.success}},"request":${JSON.stringify(echo)}}`,
      );
  }
  let lists = mode === 'objects' && finished ? objects.get(b.pk) : undefined;
  if (lists === undefined) {
    lists = readLists(b.pk);
    if (mode === 'objects' && finished) objects.set(b.pk, lists);
  }
  return { data: { meta: meta(b, lists.hasMore), errors: lists.errors, success: lists.success }, request: echo };
});
// A failure to listen stays an unhandled rejection: the process exits with its stack.
void app.listen({ port: 0, host: '127.0.0.1' }).then((url) => process.stdout.write(`${JSON.stringify({ url })}\n`));
