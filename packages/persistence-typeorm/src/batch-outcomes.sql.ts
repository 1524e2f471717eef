// SQL text about item outcomes (ADR 0036) shared by the reads and writes of batches.
import { EntityManager } from 'typeorm';
import { onPostgres } from './sql';

/**
 * `batch_outcomes o` for a read of one outcome in input order, per store. SQLite is told to walk
 * ix_batch_outcomes_state_seq: without statistics its planner walked the table's key instead and
 * filtered by outcome, a whole batch's outcomes read for a failure list that is empty.
 */
export const OUTCOMES_BY_STATE = { sqlite: 'batch_outcomes o INDEXED BY ix_batch_outcomes_state_seq', postgres: 'batch_outcomes o' } as const;

/** OUTCOMES_BY_STATE for the manager's store. */
export const outcomesByState = (manager: EntityManager): string => (onPostgres(manager) ? OUTCOMES_BY_STATE.postgres : OUTCOMES_BY_STATE.sqlite);

/** An item without an outcome (ADR 0036), as a condition on `batch_items i`. */
export const PENDING = 'NOT EXISTS (SELECT 1 FROM batch_outcomes o WHERE o.batch_pk = i.batch_pk AND o.seq = i.seq)';
