// BatchBacklog over TypeORM: the store's work at a glance for monitoring, read from the batches'
// counters in two grouped statements, never by walking items. Unfinished batches are reached
// through ix_batches_open (completed_at, created_at), so the pending items and the oldest of them
// cost a range of that index whatever the number of finished batches; the finished ones are read
// from the counts the database keeps as batches finish and are purged (batch_status_counts), not
// counted over their rows (one per batch, kept BATCH_RETENTION_DAYS: 210–320 ms at 500 000).
import { BATCH_STATUSES, Backlog, BatchBacklog, BatchStatus } from '@container-service/batch-domain';
import { Database } from './database';
import { select } from './sql';

/** Batch.status for unfinished batches, as SQL. */
const OPEN = `SELECT CASE WHEN b.started_at IS NULL THEN 'QUEUED' ELSE 'IN_PROGRESS' END AS status, COUNT(*) AS n,
    SUM(b.total - b.success - b.failed - b.cancelled) AS pending, MIN(b.created_at) AS oldest
  FROM batches b WHERE b.completed_at IS NULL AND b.intake_open = 0 GROUP BY 1`;
/** Finished batches by status: kept by triggers on batches (migration 1765600000000), 64 rows whatever their number. */
const FINISHED = 'SELECT status, SUM(n) AS n FROM batch_status_counts GROUP BY status';

// PostgreSQL answers COUNT, SUM and bigint columns as strings.
type Numeric = number | string | null;

export class TypeOrmBatchBacklog implements BatchBacklog {
  constructor(private readonly database: Database) {}

  backlog(): Promise<Backlog> {
    return this.database.read(async (manager) => {
      const open = await select<{ status: BatchStatus; n: Numeric; pending: Numeric; oldest: Numeric }>(manager, OPEN, []);
      const finished = await select<{ status: BatchStatus; n: Numeric }>(manager, FINISHED, []);
      const batches = Object.fromEntries(BATCH_STATUSES.map((status) => [status, 0])) as Record<BatchStatus, number>;
      for (const row of [...open, ...finished]) batches[row.status] += Number(row.n);
      let pendingItems = 0;
      let oldestPendingAt: number | null = null;
      for (const row of open) {
        pendingItems += Number(row.pending ?? 0);
        if (row.oldest !== null) oldestPendingAt = Math.min(oldestPendingAt ?? Number(row.oldest), Number(row.oldest));
      }
      return { batches, pendingItems, oldestPendingAt };
    });
  }
}
