// Benchmark: the fastest correct processing the service's SQLite schema allows, written by hand,
// against the driver baseline of rows 4 and 5 (`npm run bench`). It says how far a ratio target
// can be reached at all with this schema, whatever the service's own code costs:
//   file: a batch's items already stored (the file's intake is before the 202, outside row 5's
//         clock); per 1 024 items, one transaction that reads them, parses each stored input,
//         inserts the container and its tracking row, records the item's outcome and adds to the
//         batch's counters;
//   JSON: the same per batch of 1 024, after an intake transaction that stores the batch row and
//         its items (row 4's clock runs while batches are received and processed), in one thread.
// No type check, no conflict rule, no lease, no progress, no thread hop: the service does all of
// them, so its ratios are below these. Each is measured with the item's outcome written as the
// service writes it (an INSERT into batch_outcomes, ADR 0036) and as it did before (an UPDATE of
// the item row, on the items' columns and index of then). Three rounds, alternating; medians.
// Then the file case on PostgreSQL over 1, 2 and 4 connections (issue 16's rows 5a), against the
// pg baseline of `npm run bench:pg`, on a durable throwaway server (BENCH_POSTGRES=false skips it).
// Usage: npm run bench:ceiling [-- --rows 200000 --batches 49]
import { UuidV7IdGenerator } from '@container-service/container-api';
import { Database } from '@container-service/persistence-typeorm';
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startThrowawayPostgres } from '@container-service/test-postgres';
import { ITEM_OUTCOME_COLUMNS, postgresCeiling } from './ceiling-postgres';
import { pgBaseline } from './postgres.bench';
import { CHUNK, baselineRow, commitMeasured, driverBaseline, machine, n, writeSection } from './support';

type Outcomes = 'update' | 'table';
const ids = new UuidV7IdGenerator();

async function freshFile(outcomes: Outcomes): Promise<{ db: BetterSqlite3.Database; done: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-ceiling-'));
  const file = path.join(dir, 'ceiling.sqlite');
  await (await Database.open(`sqlite:${file}`)).close();
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  if (outcomes === 'update') for (const statement of ITEM_OUTCOME_COLUMNS) db.exec(statement);
  const done = () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { db, done };
}

/** What a stored item holds: a JSON create's object (a file row's cells cost about the same to parse). */
const storedInput = (i: number) =>
  JSON.stringify({ refID: `r-${i}`, scannableId: `S-${i}`, attributes: { weight: i % 100 }, trackingDetails: [{ operator: 'DHL', trackingId: `T-${i}` }] });

/** The statements of one database, and one chunk's processing by hand. */
function processor(db: BetterSqlite3.Database, outcomes: Outcomes) {
  const insertBatch = db.prepare(
    `INSERT INTO batches (tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, callback_state, callback_attempts, intake_open)
     VALUES ('bench', ?, 'container', 'bag', 'create', 'json', ?, 0, 0, 0, ?, 'NONE', 0, 0)`,
  );
  const insertItem = db.prepare(`INSERT INTO batch_items (batch_pk, seq, ref_id, row, input, deferred) VALUES (?, ?, ?, NULL, ?, 0)`);
  const readItems =
    outcomes === 'update'
      ? db.prepare(`SELECT seq, ref_id, input FROM batch_items WHERE batch_pk = ? AND seq >= ? AND seq < ? AND state = 'pending' ORDER BY seq`)
      : db.prepare(`SELECT seq, ref_id, input FROM batch_items WHERE batch_pk = ? AND seq >= ? AND seq < ? AND deferred = 0 ORDER BY seq`);
  const readDone = db.prepare('SELECT seq FROM batch_outcomes WHERE batch_pk = ? AND seq >= ? AND seq < ?');
  const insertContainer = db.prepare(
    `INSERT INTO containers (tenant_id, id, container_type, ref_id, scannable_id, tracking_details, attributes, items, parent_id, is_hazmat, is_containerizable, is_reusable, created_at, updated_at, created_by, updated_by)
     VALUES ('bench', ?, 'bag', ?, ?, ?, ?, '[]', NULL, 0, 1, 0, ?, ?, NULL, NULL)`,
  );
  const insertTracking = db.prepare(`INSERT INTO container_tracking (tenant_id, operator, tracking_id, container_id) VALUES ('bench', 'DHL', ?, ?)`);
  const write =
    outcomes === 'update'
      ? db.prepare(`UPDATE batch_items SET state = 'success', result_id = ? WHERE batch_pk = ? AND seq = ?`)
      : db.prepare(`INSERT INTO batch_outcomes (result_id, batch_pk, seq, ref_id, state) VALUES (?, ?, ?, ?, 'success')`);
  const outcome = (id: string, pk: number, seq: number, ref: string) => (outcomes === 'update' ? write.run(id, pk, seq) : write.run(id, pk, seq, ref));
  const count = db.prepare(`UPDATE batches SET success = success + ?, started_at = COALESCE(started_at, ?) WHERE pk = ?`);
  const intake = db.transaction((from: number, to: number): number => {
    const pk = Number(insertBatch.run(`batch:${ids.uuid()}`, to - from, Date.now()).lastInsertRowid);
    for (let i = from; i < to; i++) insertItem.run(pk, i - from, `r-${i}`, storedInput(i));
    return pk;
  });
  const chunk = db.transaction((pk: number, from: number, to: number) => {
    const now = Date.now();
    if (outcomes === 'table') readDone.all(pk, from, to);
    const items = readItems.all(pk, from, to) as Array<{ seq: number; ref_id: string; input: string }>;
    for (const item of items) {
      const input = JSON.parse(item.input) as { refID: string };
      const row = baselineRow(Number(input.refID.slice(2)), ids, now);
      insertContainer.run(...row.container);
      insertTracking.run(...row.tracking);
      outcome(row.container[0], pk, item.seq, item.ref_id);
    }
    count.run(items.length, now, pk);
  });
  return { intake, chunk };
}

/** Items/s processing a stored batch of `rows` items (the file case). */
async function fileCeiling(rows: number, outcomes: Outcomes): Promise<number> {
  const { db, done } = await freshFile(outcomes);
  const { intake, chunk } = processor(db, outcomes);
  const pk = intake(0, rows);
  const t0 = performance.now();
  for (let i = 0; i < rows; i += CHUNK) chunk(pk, i, Math.min(rows, i + CHUNK));
  const rate = rows / ((performance.now() - t0) / 1000);
  done();
  return rate;
}

/** Items/s receiving and processing `batches` batches of 1 024 (the JSON case). */
async function jsonCeiling(batches: number, outcomes: Outcomes): Promise<number> {
  const { db, done } = await freshFile(outcomes);
  const { intake, chunk } = processor(db, outcomes);
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) chunk(intake(b * CHUNK, (b + 1) * CHUNK), 0, CHUNK);
  const rate = (batches * CHUNK) / ((performance.now() - t0) / 1000);
  done();
  return rate;
}

/** The file case on PostgreSQL, one round per connection count (a round is 10–30 s): table rows. */
async function postgresRows(rows: number): Promise<string[]> {
  const server = await startThrowawayPostgres({ durable: true });
  try {
    const lines: string[] = [];
    for (const connections of [1, 2, 4]) {
      const base = await pgBaseline(server, rows, connections);
      const update = await postgresCeiling(server, rows, connections, 'update');
      const table = await postgresCeiling(server, rows, connections, 'table');
      const over = `over ${connections} connection${connections === 1 ? '' : 's'}`;
      lines.push(
        `| PostgreSQL: pg baseline, ${n(rows)} rows ${over} (row 5a's) | ${n(base)} | 1 | |`,
        `| PostgreSQL: file, stored items processed ${over}, outcome into batch_outcomes (today's schema) | ${n(table)} | ${(table / base).toFixed(2)} | ≥ 0.40 |`,
        `| PostgreSQL: the same, outcome as an UPDATE of the item (before ADR 0036) | ${n(update)} | ${(update / base).toFixed(2)} | |`,
      );
    }
    return lines;
  } finally {
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, batches: { type: 'string', default: '49' } } });
  const rows = Number(values.rows);
  const batches = Number(values.batches);
  const started = Date.now();
  const runs: Record<string, number[]> = {};
  const add = (key: string, value: number) => (runs[key] ??= []).push(value);
  for (let round = 0; round < 3; round++) {
    add('fileBase', await driverBaseline(rows));
    add('fileUpdate', await fileCeiling(rows, 'update'));
    add('fileTable', await fileCeiling(rows, 'table'));
    add('jsonBase', await driverBaseline(batches * CHUNK));
    add('jsonUpdate', await jsonCeiling(batches, 'update'));
    add('jsonTable', await jsonCeiling(batches, 'table'));
  }
  const m = Object.fromEntries(Object.entries(runs).map(([key, list]) => [key, median(list)])) as Record<string, number>;
  const ratio = (key: string, base: string) => `${(m[key]! / m[base]!).toFixed(2)} (${runs[key]!.map((v, i) => (v / runs[base]![i]!).toFixed(2)).join(', ')})`;
  const postgres = process.env.BENCH_POSTGRES === 'false' ? [] : await postgresRows(rows);
  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}; ${((Date.now() - started) / 60_000).toFixed(1)} min; SQLite: medians of three rounds, each round's ratio in brackets; PostgreSQL (durable throwaway server): one round.`,
    '',
    '| by hand, on the service schema | items/s | ÷ driver baseline | target of the service |',
    '|---|---:|---|---|',
    `| driver baseline, ${n(rows)} rows (row 5's) | ${n(m.fileBase!)} | 1 | |`,
    `| file: stored items processed, outcome into batch_outcomes (today's schema) | ${n(m.fileTable!)} | ${ratio('fileTable', 'fileBase')} | ≥ 0.55 |`,
    `| file: the same, outcome as an UPDATE of the item (before ADR 0036) | ${n(m.fileUpdate!)} | ${ratio('fileUpdate', 'fileBase')} | |`,
    `| driver baseline, ${n(batches * CHUNK)} rows (row 4's) | ${n(m.jsonBase!)} | 1 | |`,
    `| JSON: ${batches} batches received and processed in one thread, outcome into batch_outcomes | ${n(m.jsonTable!)} | ${ratio('jsonTable', 'jsonBase')} | ≥ 0.45 |`,
    `| JSON: the same, outcome as an UPDATE of the item (before ADR 0036) | ${n(m.jsonUpdate!)} | ${ratio('jsonUpdate', 'jsonBase')} | |`,
  ].join('\n');
  const text = [table, ...postgres].join('\n');
  process.stdout.write(`${text}\n`);
  writeSection('ceiling', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
