// Benchmark: the monitoring backlog read (every /metrics scrape, at most once per 2 s per process)
// on a SQLite file holding N finished batches (seven days of retention at about one a second is
// 600 000), against the count of those batches by status over their rows that it replaced
// (ADR 0034). Three reads each, in turns; milliseconds.
// Usage: npm run bench:backlog [-- --batches 500000]
import { Database, TypeOrmBatchBacklog } from '@container-service/persistence-typeorm';
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** What the backlog read counted before ADR 0034. */
const RECOUNT = `SELECT CASE WHEN b.cancelled_at IS NOT NULL THEN 'CANCELLED' WHEN b.failed = 0 THEN 'SUCCESS'
    WHEN b.success = 0 THEN 'FAILED' ELSE 'PARTIAL_SUCCESS' END AS status, COUNT(*) AS n
  FROM batches b WHERE b.completed_at IS NOT NULL GROUP BY 1`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { batches: { type: 'string', default: '500000' } } });
  const count = Number(values.batches);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-backlog-'));
  try {
    const file = path.join(dir, 'backlog.sqlite');
    await (await Database.open(`sqlite:${file}`)).close();
    const db = new BetterSqlite3(file);
    const insert = db.prepare(
      `INSERT INTO batches (tenant_id, id, kind, target_type, operation, source, total, success, failed, cancelled, created_at, completed_at, callback_state, callback_attempts, intake_open)
       VALUES ('bench', ?, 'container', 'bag', 'create', 'json', 2, ?, ?, 0, ?, ?, 'NONE', 0, 0)`,
    );
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(`batch:${String(i)}`, i % 3 === 0 ? 1 : 2, i % 3 === 0 ? 1 : 0, now - i, now - i + 5);
    })();
    db.close();
    const database = await Database.open(`sqlite:${file}`);
    const backlog = new TypeOrmBatchBacklog(database);
    const timed = async (work: () => Promise<unknown>) => {
      const t0 = performance.now();
      await work();
      return performance.now() - t0;
    };
    const reads: number[] = [];
    const recounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      reads.push(await timed(() => backlog.backlog()));
      recounts.push(await timed(() => database.read((manager) => manager.query(RECOUNT))));
    }
    const ms = (list: number[]) => list.map((v) => v.toFixed(1)).join(', ');
    process.stdout.write(`${count.toLocaleString('en-US')} finished batches: backlog read ${ms(reads)} ms; the count over their rows ${ms(recounts)} ms\n`);
    await database.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
