// The status read, the route clients poll in tight loops: the batch's summary row by fixed SQL,
// then the heads of its success and failure lists, from memory while its counts stay as they were
// when the lists were read (ResultHeadsCache).
import { BatchLocator, BatchStatusView, FailureResult, SuccessResult } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { onPostgres, select, selectRows } from './sql';
import { OUTCOMES_BY_STATE } from './batch-outcomes.sql';
import { fromBatchRow, fromRawSummary, RawSummaryRow, SUMMARY_COLUMNS } from './batch.mapper';
import { ResultHeads, ResultHeadsCache } from './result-heads.cache';

/**
 * The batch's summary row: fixed SQL, not the query builder, and one string for every read (a
 * template evaluated per read would make a new text for the statement caches to hash each time).
 */
const SUMMARY_BY_LOCATOR = `SELECT ${SUMMARY_COLUMNS} FROM batches WHERE tenant_id = ? AND id = ? AND kind = ? AND target_type = ? AND intake_open = 0`;

/**
 * A batch and the first `listLimit` entries of each result list; `heads` null reads every list.
 * `committedOnly`: whether the manager's reads see committed data alone (Database.readsCommittedOnly).
 */
export async function readStatus(
  manager: EntityManager,
  heads: ResultHeadsCache | null,
  committedOnly: boolean,
  locator: BatchLocator,
  listLimit: number,
): Promise<BatchStatusView | null> {
  const [raw] = await select<RawSummaryRow>(manager, SUMMARY_BY_LOCATOR, [locator.tenantId, locator.batchId, locator.kind, locator.targetType]);
  if (raw === undefined) return null;
  const row = fromRawSummary(raw);
  const batch = fromBatchRow(row);
  // The lists change only with the counts (see ResultHeadsCache); the row is read every time. A
  // running batch's only where reads see committed data alone: a read that sees a chunk's
  // outcomes before its counts (on the same connection, mid-transaction) must not keep them.
  const cache = batch.isFinished || committedOnly ? heads : null;
  const key = `${row.pk}/${row.id}/${listLimit}`;
  const counts = `${row.success}/${row.failed}/${row.cancelled}`;
  const cached = cache?.get(key, counts);
  if (cached !== undefined) return { batch, ...cached };
  const read = await readHeads(manager, row.pk, listLimit);
  cache?.set(key, counts, read);
  return { batch, ...read };
}

const head = (columns: string, state: string, outcomes: string) =>
  `SELECT o.seq, o.ref_id, o.row, ${columns} FROM ${outcomes} WHERE o.batch_pk = ? AND o.state = '${state}' ORDER BY o.seq LIMIT ?`;
const headsOn = (outcomes: string) => ({ success: head('o.result_id', 'success', outcomes), failed: head('o.reason, o.code', 'failed', outcomes) });
/** The two heads' statements, per store (see OUTCOMES_BY_STATE): one string each for every read. */
export const STATUS_HEADS = { sqlite: headsOn(OUTCOMES_BY_STATE.sqlite), postgres: headsOn(OUTCOMES_BY_STATE.postgres) };

/**
 * The first `listLimit` succeeded and failed items of a batch, in input order: a range scan of
 * ix_batch_outcomes_state_seq each, read as arrays. This is the route clients poll in tight loops,
 * and 1 000 rows as objects cost twice as much.
 */
async function readHeads(manager: EntityManager, batchPk: number, listLimit: number): Promise<ResultHeads> {
  const sql = onPostgres(manager) ? STATUS_HEADS.postgres : STATUS_HEADS.sqlite;
  const [successRows, failureRows] = await Promise.all([
    selectRows<[number, string, number | null, string | null]>(manager, sql.success, [batchPk, listLimit + 1]),
    selectRows<[number, string, number | null, string | null, string | null]>(manager, sql.failed, [batchPk, listLimit + 1]),
  ]);
  return {
    successes: successRows
      .slice(0, listLimit)
      .map(([seq, refId, row, resultId]): SuccessResult => ({ seq, refId, row, outcome: 'success', resultId: resultId ?? '' })),
    failures: failureRows
      .slice(0, listLimit)
      .map(([seq, refId, row, reason, code]): FailureResult => ({ seq, refId, row, outcome: 'failed', reason: reason ?? '', code: code ?? '' })),
    hasMore: successRows.length > listLimit || failureRows.length > listLimit,
  };
}
