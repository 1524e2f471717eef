// Benchmark of CSV file batches, the service running as its own process (dist/main.js, API and
// worker together, a fresh SQLite file per file size), for files of 10 000 and 200 000 rows:
//  - upload to 202: the file streamed from this process, until every row is stored;
//  - processing rate: rows per second from the 202 to the final status;
//  - the service's peak resident memory (VmHWM from /proc), which must not grow with the file;
//  - baseline, same run: the same container and tracking rows inserted straight into a fresh
//    SQLite file through better-sqlite3 in chunked transactions; the ratio compares the two.
// Usage: npm run bench:csv [-- rows rows ...]
import { Database } from '@container-service/persistence-typeorm';
import BetterSqlite3 from 'better-sqlite3';
import { SignJWT } from 'jose';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
const BOUNDARY = 'bench-boundary';
const CHUNK = 250;
const MAIN = path.resolve(__dirname, '../main.js');
const HEADER = 'refID,scannableId,attributes.weight,trackingDetails\r\n';

const row = (i: number) => `r-${i},S-${i},${i % 100},"[{""operator"":""DHL"",""trackingId"":""T-${i}""}]"\r\n`;

/** The multipart body, generated as it is sent: the file never sits whole in this process either. */
function multipartBody(rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === 0) controller.enqueue(encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n${HEADER}`));
      if (next >= rows) {
        controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`));
        controller.close();
        return;
      }
      let text = '';
      const end = Math.min(rows, next + 1000);
      for (; next < end; next++) text += row(next);
      controller.enqueue(encoder.encode(text));
    },
  });
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function startService(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, DATABASE_URL: `sqlite:${path.join(dir, 'service.sqlite')}`, DATA_DIR: dir, WORKER_IDLE_MS: '20' };
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), MAIN], { cwd: dir, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, url });
      }
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${out}`)));
  });
}

async function measureService(rows: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-csv-'));
  const { child, url } = await startService(dir);
  const base = `${url}/core/api/v2/containers`;
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const headers = { 'X-COREOS-REQUEST-ID': 'bench', 'X-COREOS-TID': 'bench', 'X-COREOS-ACCESS': token };
  const defined = await fetch(`${base}/container-types`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }) });
  if (defined.status !== 202) throw new Error(`define: ${defined.status}`);
  const idleRss = peakRssMiB(child.pid!);

  const t0 = performance.now();
  const response = await fetch(`${base}/bag/batch/upload`, {
    method: 'POST',
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipartBody(rows),
    duplex: 'half',
  } as RequestInit);
  if (response.status !== 202) throw new Error(`upload: ${response.status} ${await response.text()}`);
  const batchId = ((await response.json()) as { data: { id: string } }).data.id;
  const acceptedMs = performance.now() - t0;
  const uploadPeak = peakRssMiB(child.pid!);
  const t1 = performance.now();
  let meta: { status: string; success: number; failed: number };
  for (;;) {
    const status = await fetch(`${base}/bag/batch/upload/status?batchId=${batchId}`, { headers });
    meta = ((await status.json()) as { data: { meta: typeof meta } }).data.meta;
    if (process.env.BENCH_TRACE) process.stderr.write(`${meta.success} rss ${rssMiB(child.pid!).toFixed(0)} MiB\n`);
    if (!['QUEUED', 'IN_PROGRESS'].includes(meta.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const processMs = performance.now() - t1;
  if (meta.success !== rows) throw new Error(`expected ${rows} successes: ${JSON.stringify(meta)}`);
  const peak = peakRssMiB(child.pid!);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  fs.rmSync(dir, { recursive: true, force: true });
  return { rows, acceptedMs, processMs, rate: rows / (processMs / 1000), idleRss, uploadPeak, peak };
}

/** The same rows straight through the driver, in chunked transactions, on the service's schema. */
async function baseline(rows: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-csv-base-'));
  await (await Database.open(`sqlite:${path.join(dir, 'baseline.sqlite')}`)).close();
  const db = new BetterSqlite3(path.join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insertContainer = db.prepare(
    `INSERT INTO containers (tenant_id, id, container_type, ref_id, scannable_id, tracking_details, attributes, items, parent_id, is_hazmat, is_containerizable, is_reusable, created_at, updated_at, created_by, updated_by)
     VALUES ('bench', ?, 'bag', ?, ?, ?, ?, '[]', NULL, 0, 1, 0, ?, ?, NULL, NULL)`,
  );
  const insertTracking = db.prepare(`INSERT INTO container_tracking (tenant_id, operator, tracking_id, container_id) VALUES ('bench', 'DHL', ?, ?)`);
  const chunk = db.transaction((from: number, to: number) => {
    const now = Date.now();
    for (let i = from; i < to; i++) {
      const id = `bag:${randomUUID()}`;
      insertContainer.run(id, `r-${i}`, `S-${i}`, JSON.stringify([{ operator: 'DHL', trackingId: `T-${i}`, isPrimary: true }]), JSON.stringify({ weight: i % 100 }), now, now);
      insertTracking.run(`T-${i}`, id);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < rows; i += CHUNK) chunk(i, Math.min(rows, i + CHUNK));
  const rate = rows / ((performance.now() - t0) / 1000);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return rate;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const results = [];
  for (const rows of sizes.length > 0 ? sizes : [10_000, 200_000]) {
    const service = await measureService(rows);
    const base = await baseline(rows);
    results.push({ ...service, base });
  }
  const machine = `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const lines = [
    `CSV uploads, ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
    '',
    '| rows | upload to 202 | 202 to final | rows/s (service) | rows/s (driver baseline) | ratio | RSS idle | RSS peak by the 202 | RSS peak |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${n(r.rows)} | ${(r.acceptedMs / 1000).toFixed(2)} s | ${(r.processMs / 1000).toFixed(1)} s | ${n(r.rate)} | ${n(r.base)} | ${(r.rate / r.base).toFixed(3)} | ${r.idleRss.toFixed(0)} MiB | ${r.uploadPeak.toFixed(0)} MiB | ${r.peak.toFixed(0)} MiB |`,
    ),
  ];
  if (results.length > 1) {
    const peaks = results.map((r) => r.peak);
    lines.push('', `Peak RSS spread across file sizes: ${(Math.max(...peaks) - Math.min(...peaks)).toFixed(0)} MiB (must stay within 64 MiB).`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
