// The ceiling of `npm run bench:ceiling` on PostgreSQL (issue 16's file rows): a stored batch of
// `rows` items processed by hand over `connections` connections through `pg`, each taking the next
// 1 024 items in one transaction: read them, parse each input, insert the containers and their
// tracking rows in two multi-row INSERTs (as the baseline does), record the outcomes in one
// statement (an INSERT into batch_outcomes, as the service's schema has them, or an UPDATE of the
// items from arrays, as they were before ADR 0036) and add to the batch's counters. Against `pgBaseline`, the same inserts
// alone. No check, no conflict rule, no lease: what the schema allows, not what the service does.
import { DEFAULT_CHUNK_SIZE } from '@container-service/batch-domain';
import { UuidV7IdGenerator } from '@container-service/container-api';
import { Database } from '@container-service/persistence-typeorm';
import { FreshDatabase, ThrowawayPostgres, freshDatabase } from '@container-service/test-postgres';
import { Client } from 'pg';
import { baselineStatements, chunkedRate } from './postgres.bench';
import { baselineRow } from './support';

export type Outcomes = 'update' | 'table';

const OUTCOMES: Record<Outcomes, string> = {
  update: `UPDATE batch_items i SET state = 'success', result_id = v.id FROM unnest($2::int[], $3::text[], $4::text[]) AS v(seq, id, ref) WHERE i.batch_pk = $1 AND i.seq = v.seq`,
  table: `INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, result_id) SELECT $1, v.seq, 'success', v.ref, v.id FROM unnest($2::int[], $3::text[], $4::text[]) AS v(seq, id, ref)`,
};

/** The items' columns and index as they were before ADR 0036, for the 'update' variant. */
export const ITEM_OUTCOME_COLUMNS = [
  "ALTER TABLE batch_items ADD COLUMN state varchar(16) NOT NULL DEFAULT 'pending'",
  'ALTER TABLE batch_items ADD COLUMN result_id varchar(256)',
  'ALTER TABLE batch_items ADD COLUMN reason text',
  'ALTER TABLE batch_items ADD COLUMN code varchar(64)',
  'CREATE INDEX ix_batch_items_state_seq ON batch_items (batch_pk, state, seq)',
];

/** The read of a chunk's items: pending by their state, or (today) those of the range, with the outcomes the range has. */
const READ: Record<Outcomes, string> = {
  update: `SELECT seq, ref_id, input FROM batch_items WHERE batch_pk = $1 AND seq >= $2 AND seq < $3 AND state = 'pending' ORDER BY seq`,
  table: `SELECT seq, ref_id, input FROM batch_items WHERE batch_pk = $1 AND seq >= $2 AND seq < $3 AND deferred = 0 ORDER BY seq`,
};

/** Items/s processing a stored batch of `rows` items over `connections` connections. */
export async function postgresCeiling(server: ThrowawayPostgres, rows: number, connections: number, outcomes: Outcomes): Promise<number> {
  const database: FreshDatabase = await freshDatabase(server.url, 'bench_ceiling');
  try {
    await (await Database.open(database.url, { poolMax: 1 })).close();
    const clients = Array.from({ length: connections }, () => new Client({ connectionString: database.url }));
    await Promise.all(clients.map((c) => c.connect()));
    const [first] = clients as [Client];
    if (outcomes === 'update') for (const statement of ITEM_OUTCOME_COLUMNS) await first.query(statement);
    const { rows: made } = await first.query<{ pk: string }>(
      `INSERT INTO batches (tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, callback_state, callback_attempts, intake_open)
       VALUES ('bench', 'batch:ceiling', 'container', 'bag', 'create', 'file', $1, 0, 0, 0, 1, 'NONE', 0, 0) RETURNING pk`,
      [rows],
    );
    const pk = Number(made[0]!.pk);
    await first.query(
      `INSERT INTO batch_items (batch_pk, seq, ref_id, row, input, deferred)
       SELECT $1, s, 'r-' || s, NULL, json_build_object('refID', 'r-' || s, 'scannableId', 'S-' || s, 'attributes', json_build_object('weight', s % 100),
         'trackingDetails', json_build_array(json_build_object('operator', 'DHL', 'trackingId', 'T-' || s)))::text, 0
       FROM generate_series(0, $2::int - 1) AS s`,
      [pk, rows],
    );
    await first.query('VACUUM ANALYZE batch_items');
    const ids = new UuidV7IdGenerator();
    const full = baselineStatements(DEFAULT_CHUNK_SIZE);
    const rate = await chunkedRate(clients, rows, async (client, from, to) => {
      const named = to - from === DEFAULT_CHUNK_SIZE;
      const sql = named ? full : baselineStatements(to - from);
      await client.query('BEGIN');
      if (outcomes === 'table') {
        await client.query({
          name: 'ceiling-done',
          text: 'SELECT seq FROM batch_outcomes WHERE batch_pk = $1 AND seq >= $2 AND seq < $3',
          values: [pk, from, to],
        });
      }
      const { rows: items } = await client.query<{ seq: number; ref_id: string; input: string }>({
        ...(named ? { name: 'ceiling-read' } : {}),
        text: READ[outcomes],
        values: [pk, from, to],
      });
      const now = Date.now();
      const containerValues: unknown[] = [];
      const trackingValues: unknown[] = [];
      const seqs: number[] = [];
      const made: string[] = [];
      const refs: string[] = [];
      for (const item of items) {
        const input = JSON.parse(item.input) as { refID: string };
        const row = baselineRow(Number(input.refID.slice(2)), ids, now);
        containerValues.push(...row.container);
        trackingValues.push(...row.tracking);
        seqs.push(item.seq);
        made.push(row.container[0]);
        refs.push(item.ref_id);
      }
      await client.query({ ...(named ? { name: 'ceiling-containers' } : {}), text: sql.containers, values: containerValues });
      await client.query({ ...(named ? { name: 'ceiling-tracking' } : {}), text: sql.tracking, values: trackingValues });
      await client.query({ name: `ceiling-${outcomes}`, text: OUTCOMES[outcomes], values: [pk, seqs, made, refs] });
      await client.query({ name: 'ceiling-count', text: 'UPDATE batches SET success = success + $2 WHERE pk = $1', values: [pk, items.length] });
      await client.query('COMMIT');
    });
    await Promise.all(clients.map((c) => c.end()));
    return rate;
  } finally {
    await database.drop();
  }
}
