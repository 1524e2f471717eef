// `npm run bench`: every scenario of the performance work in one run, each against its baseline
// measured in the same run (absolute figures drift on a shared 2-core machine; ratios do not).
//  1. status read of a finished 1 000-item batch, 50 connections (autocannon): the real route vs a
//     bare fastify route reading the same rows of the same file with better-sqlite3;
//  2. the same read, polled by 5 clients every 20 ms while a 200 000-row CSV batch is processed:
//     p99, against the same polling with nothing processed;
//  3. JSON create batches, 49 × 1 024 items, on a fresh service: containers/s while creating (and
//     end to end) vs the driver baseline;
//  4. CSV files of 10 000 and 200 000 rows, each on a fresh service: upload to 202, rows/s vs the
//     driver baseline, and the service's peak resident memory;
//  5. PostgreSQL (postgres.bench.ts, `npm run bench:pg` alone; skipped with BENCH_POSTGRES=false):
//     1, 2 and 4 worker processes on a 200 000-row file and 50 JSON batches against `pg` inserts
//     over as many connections, workers' memory, and the status read against a bare fastify + pg route.
// It starts and stops everything it uses, prints a table per store (a row per measure: its target,
// the figure, the service's and the baseline's own numbers), and writes them into docs/benchmarks.md.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { postgresBench } from './postgres.bench';
import { SECONDS, commitMeasured, driverBaseline, jsonBatch, load, machine, memoryMiB, n, startService, untilFinal, upload, writeSection } from './support';

/**
 * Clients polling in a loop, as integrations do: each sends a request, reads the whole answer,
 * pauses `pauseMs`, and goes again. Latencies of every request.
 */
async function poll(
  url: string,
  headers: Record<string, string>,
  clients: number,
  seconds: number,
  pauseMs: number,
): Promise<{ count: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`poll: ${response.status}`);
        latencies.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count: latencies.length, p50: at(0.5), p99: at(0.99) };
}

async function startBare(dbFile: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-status.server.js'), dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url)),
  );
  return { url, stop: () => new Promise((resolve) => child.once('exit', () => resolve()).kill('SIGTERM')) };
}

async function fileRun(rows: number) {
  const service = await startService();
  const { batchId, acceptedMs } = await upload(service, rows);
  const t0 = performance.now();
  const meta = await untilFinal(service, batchId);
  const rate = rows / ((performance.now() - t0) / 1000);
  if (meta.success !== rows) throw new Error(`file run: ${JSON.stringify(meta)}`);
  const peak = memoryMiB(service.child.pid!, 'VmHWM');
  await service.stop();
  return { acceptedMs, rate, peak };
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const add = (...cells: string[]) => {
    rows.push(cells);
    process.stderr.write(`${cells.join(' | ')}\n`);
  };

  // 1 and 2: one service; a finished 1 000-item batch to read.
  const service = await startService();
  const readBatch = await jsonBatch(service, 0, 1000);
  await untilFinal(service, readBatch);
  const statusUrl = `${service.url}/core/api/v2/containers/bag/batch/status?batchId=${readBatch}`;
  const readHeaders = { ...service.headers(), 'X-COREOS-REQUEST-ID': 'bench-read' };
  const bare = await startBare(service.dbFile);
  const bareUrl = `${bare.url}/core/api/v2/containers/bag/batch/status?batchId=${readBatch}`;
  await load(statusUrl, readHeaders, 10, 2); // warm-up, both sides
  await load(bareUrl, { 'X-COREOS-TID': 'bench' }, 10, 2);
  const real = await load(statusUrl, readHeaders, 50);
  const base = await load(bareUrl, { 'X-COREOS-TID': 'bench' }, 50);
  await bare.stop();
  add(
    '1. status read, finished 1 000-item batch, 50 connections: service ÷ bare route, req/s',
    '≥ 0.70',
    n(real.rps / base.rps, 2),
    `${n(real.rps)} req/s, p99 ${real.p99} ms`,
    `bare fastify + better-sqlite3: ${n(base.rps)} req/s, p99 ${base.p99} ms`,
  );
  if (real.errors + base.errors > 0) throw new Error(`errors during the read load: ${real.errors} / ${base.errors}`);

  // Latency is read the way integrations poll: 5 clients, each reading the status, pausing 20 ms,
  // reading again. (At full saturation, scenario 1, the p99 is queueing behind 50 open requests.)
  const quiet = await poll(statusUrl, readHeaders, 5, SECONDS, 20);
  const big = await upload(service, 200_000);
  const busy = await poll(statusUrl, readHeaders, 5, SECONDS, 20);
  const during = await fetch(`${service.url}/core/api/v2/containers/bag/batch/status?batchId=${big.batchId}`, { headers: service.headers() });
  const stillRunning = ((await during.json()) as { data: { meta: { status: string } } }).data.meta.status === 'IN_PROGRESS';
  const ms = (v: number) => `${n(v, 1)} ms`;
  add(
    `2. the same read, 5 clients polling every 20 ms, while 200 000 CSV rows are processed${stillRunning ? '' : ' (processing ended before the polling did)'}: p99`,
    '< 25 ms',
    ms(busy.p99),
    `p50 ${ms(busy.p50)}, p99 ${ms(busy.p99)} (${n(busy.count / SECONDS)} req/s)`,
    `same polling, nothing processed: p50 ${ms(quiet.p50)}, p99 ${ms(quiet.p99)} (ratio ${n(busy.p99 / quiet.p99, 2)})`,
  );
  await untilFinal(service, big.batchId, 200);
  await service.stop();

  // 3: JSON create batches on a fresh service (the driver baseline, too, writes into an empty
  // file), all submitted back to back, then watched until the last is final. Two rates: end to end
  // (first submit to last final, client time included) and the creation window the service
  // reports (first startedAt to last completedAt), which the ratio uses.
  const jsonService = await startService();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let b = 0; b < 49; b++) ids.push(await jsonBatch(jsonService, b * 1024, 1024));
  const metas: Array<{ startedAt: number; completedAt: number; success: number }> = [];
  for (const id of ids) {
    await untilFinal(jsonService, id, 20);
    const response = await fetch(`${jsonService.url}/core/api/v2/containers/bag/batch/status?batchId=${id}`, { headers: jsonService.headers() });
    metas.push(((await response.json()) as { data: { meta: { startedAt: number; completedAt: number; success: number } } }).data.meta);
  }
  const endToEnd = (49 * 1024) / ((performance.now() - t0) / 1000);
  const created = metas.reduce((sum, m) => sum + m.success, 0);
  const windowMs = Math.max(...metas.map((m) => m.completedAt)) - Math.min(...metas.map((m) => m.startedAt));
  const jsonRate = created / (windowMs / 1000);
  await jsonService.stop();
  const jsonBase = await driverBaseline(49 * 1024);
  add(
    '3. JSON create, 49 × 1 024 items: containers/s while creating ÷ driver rows/s',
    '≥ 0.40',
    `${n(jsonRate / jsonBase, 2)} (end to end ${n(endToEnd / jsonBase, 2)})`,
    `${n(jsonRate)} containers/s while creating (first start to last completion); ${n(endToEnd)}/s from the first submit to the last final status`,
    `driver, chunks of 250: ${n(jsonBase)} rows/s`,
  );

  // 4: CSV files, each on a fresh service.
  const small = await fileRun(10_000);
  const large = await fileRun(200_000);
  const fileBase = await driverBaseline(200_000);
  add(
    '4. CSV file of 200 000 rows: rows/s ÷ driver rows/s',
    '≥ 0.40',
    n(large.rate / fileBase, 2),
    `${n(large.rate)} rows/s (10 000 rows: ${n(small.rate)})`,
    `driver, chunks of 250: ${n(fileBase)} rows/s`,
  );
  add('4. the same file: upload to 202', '< 5 s', `${n(large.acceptedMs / 1000, 2)} s`, `10 000 rows: ${n(small.acceptedMs / 1000, 2)} s`, '');
  add(
    '4. peak RSS of the 200 000-row run above the 10 000-row run',
    '≤ 64 MiB',
    `${n(Math.abs(large.peak - small.peak))} MiB`,
    `peak RSS ${n(large.peak)} MiB (10 000 rows: ${n(small.peak)} MiB)`,
    '',
  );

  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}; load on loopback, ${SECONDS} s per load.`,
    '',
    '| measure | target | latest | service | baseline (same run) |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeSection('bench', table);

  // 5: PostgreSQL (postgres.bench.ts), unless BENCH_POSTGRES=false.
  if (process.env.BENCH_POSTGRES !== 'false') {
    const pgTable = await postgresBench();
    process.stdout.write(`\n${pgTable}\n`);
    writeSection('bench-pg', pgTable);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
