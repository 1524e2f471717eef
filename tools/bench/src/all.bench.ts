// `npm run bench`: every measure of the performance work in one run, each against its baseline
// measured in the same run (absolute figures drift on a shared 2-core machine; ratios do not).
//  1. status reads of other clients while a 200 000-row file is being received (first byte to
//     202): p99, against the same polling of a bare route (another process) under the same upload;
//  2. clients polling the running 200 000-row batch itself while it is processed: p99, against a
//     bare route reading the same running batch from the same file;
//  3. status read of a finished 1 000- and 200 000-item batch, 50 connections (autocannon): the
//     service against a hand-written route of the same design (lists cached as objects) and
//     against the best hand-written route (lists cached as JSON text); answers checked equal;
//  4. JSON create, 49 × 1 024 items on a fresh service: containers/s while creating against the
//     driver committing the same rows in the same 1 024-row chunks (same schema, indexes,
//     durability settings and id format);
//  5. CSV files of 10 000 and 200 000 rows, each on a fresh service: rows/s against the same
//     driver baseline, processing rate 200 000 against 10 000 (and the same for JSON batches),
//     upload to 202, peak resident memory;
//  6. PostgreSQL (postgres.bench.ts, `npm run bench:pg` alone; skipped with BENCH_POSTGRES=false).
// It starts and stops everything it uses, prints a table per store (a row per measure: its target,
// the figure, the service's and the baseline's own numbers), and writes them into docs/benchmarks.md.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { postgresBench } from './postgres.bench';
import os from 'node:os';
import {
  CHUNK,
  SECONDS,
  Service,
  commitMeasured,
  driverBaselineMedian,
  jsonBatch,
  load,
  machine,
  memoryMiB,
  multipartBody,
  n,
  startService,
  untilFinal,
  upload,
  writeSection,
} from './support';

interface Latencies {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function summarise(latencies: number[]): Latencies {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { count: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN };
}

/**
 * Clients polling in a loop, as integrations do, while `work` runs: each sends a request, reads
 * the whole answer, pauses `pauseMs`, and goes again, until `work` has settled. Latencies of every
 * request sent before then (one still in flight is waited for), and what `work` gave.
 */
async function pollDuring<T>(
  url: string,
  headers: Record<string, string>,
  clients: number,
  pauseMs: number,
  work: () => Promise<T>,
): Promise<{ result: T; latencies: Latencies; samples: number[] }> {
  const latencies: number[] = [];
  let done = false;
  const loops = Array.from({ length: clients }, async () => {
    while (!done) {
      const t0 = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`poll: ${response.status}`);
      latencies.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  });
  try {
    const result = await work();
    return { result, latencies: summarise([...latencies]), samples: latencies };
  } finally {
    done = true;
    await Promise.all(loops);
  }
}

/** Polls for `seconds`; the latency of each read. */
const pollFor = (url: string, headers: Record<string, string>, clients: number, pauseMs: number, seconds: number) =>
  pollDuring(url, headers, clients, pauseMs, () => new Promise((resolve) => setTimeout(resolve, seconds * 1000))).then((r) => r.samples);

type BareMode = 'read' | 'objects' | 'text';

async function startBare(dbFile: string, mode: BareMode): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-status.server.js'), dbFile, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url)),
  );
  return { url, stop: () => new Promise((resolve) => child.once('exit', () => resolve()).kill('SIGTERM')) };
}

const BARE_HEADERS = { 'X-COREOS-TID': 'bench' };
const statusPath = (batchId: string) => `/core/api/v2/containers/bag/batch/status?batchId=${batchId}`;
const ms = (v: number) => `${n(v, 1)} ms`;
const lat = (l: Latencies) => `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, ${n(l.count)} reads`;
const loadNow = () => n(os.loadavg()[0]!, 2);

/** The service's answer and the bare route's, byte for byte, or the comparison means nothing. */
async function sameAnswer(service: Service, bareUrl: string, batchId: string): Promise<void> {
  const [real, baseline] = await Promise.all([
    fetch(`${service.url}${statusPath(batchId)}`, { headers: { ...service.headers(), 'X-COREOS-REQUEST-ID': 'bench-read' } }).then((r) => r.text()),
    fetch(`${bareUrl}${statusPath(batchId)}`, { headers: BARE_HEADERS }).then((r) => r.text()),
  ]);
  if (real !== baseline)
    throw new Error(`the bare route answers otherwise than the service:\nservice: ${real.slice(0, 600)}\nbare:    ${baseline.slice(0, 600)}`);
}

/** A CSV file on a fresh service: 202 time, processing rate (202 to final), peak RSS. */
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

/**
 * `batches` JSON create batches of 1 024 on a fresh service (the driver baseline, too, writes into
 * an empty file), submitted back to back, then watched until the last is final. Two rates: the
 * creation window the service reports (first startedAt to last completedAt), and end to end
 * (first submit to last final, client time included).
 */
async function jsonRun(batches: number) {
  const service = await startService();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let b = 0; b < batches; b++) ids.push(await jsonBatch(service, b * 1024, 1024));
  const metas: Array<{ startedAt: number; completedAt: number; success: number }> = [];
  for (const id of ids) {
    await untilFinal(service, id, 20);
    const response = await fetch(`${service.url}${statusPath(id)}`, { headers: service.headers() });
    metas.push(((await response.json()) as { data: { meta: { startedAt: number; completedAt: number; success: number } } }).data.meta);
  }
  const endToEnd = (batches * 1024) / ((performance.now() - t0) / 1000);
  const created = metas.reduce((sum, m) => sum + m.success, 0);
  if (created !== batches * 1024) throw new Error(`json run: ${created} of ${batches * 1024} created`);
  const windowMs = Math.max(...metas.map((m) => m.completedAt)) - Math.min(...metas.map((m) => m.startedAt));
  await service.stop();
  return { rate: created / (windowMs / 1000), endToEnd };
}

async function main(): Promise<void> {
  const began = performance.now();
  const loadAtStart = loadNow();
  const rows: string[][] = [];
  const add = (...cells: string[]) => {
    rows.push(cells);
    process.stderr.write(`${cells.join(' | ')} (load ${loadNow()})\n`);
  };

  // 1–3: one service; a finished 1 000-item batch to read.
  const service = await startService();
  const readBatch = await jsonBatch(service, 0, 1000);
  await untilFinal(service, readBatch);
  const readHeaders = { ...service.headers(), 'X-COREOS-REQUEST-ID': 'bench-read' };
  const reader = await startBare(service.dbFile, 'read');

  // 1. Other clients read while a 200 000-row file comes in: 10 clients, each reading, pausing
  // 10 ms, reading again, from the upload's first byte to its answer. The baseline polls the bare
  // route (another process, so the service's event loop is not in its way) while the service
  // receives the same file, which it then refuses for a repeated refID on the last line (so that
  // nothing is left to process); the service's own reads are measured during the real upload.
  multipartBody(200_000, true); // built before the clock starts
  multipartBody(200_000);
  const underUpload = await pollDuring(`${reader.url}${statusPath(readBatch)}`, BARE_HEADERS, 10, 10, () => upload(service, 200_000, { refused: true }));
  const uploading = await pollDuring(`${service.url}${statusPath(readBatch)}`, readHeaders, 10, 10, () => upload(service, 200_000));
  const big = uploading.result.batchId;
  add(
    "1. other clients' status reads while a 200 000-row file is received (first byte to 202), 10 clients polling every 10 ms: p99",
    '< 25 ms',
    ms(uploading.latencies.p99),
    `${lat(uploading.latencies)}; 202 after ${n(uploading.result.acceptedMs / 1000, 2)} s`,
    `bare route, same polling, under the same upload (refused at its last line): ${lat(underUpload.latencies)}`,
  );

  // 2. The running batch itself, polled by 5 clients every 20 ms: the service and the bare route
  // in turns of 1 s each, twice, so that both see the same stretches of the processing (the file
  // takes 4–8 s to process: longer turns outlasted it).
  const bigUrl = `${service.url}${statusPath(big)}`;
  const bareBigUrl = `${reader.url}${statusPath(big)}`;
  const turns: number[][] = [];
  for (let turn = 0; turn < 4; turn++) turns.push(await pollFor(turn % 2 === 0 ? bigUrl : bareBigUrl, turn % 2 === 0 ? readHeaders : BARE_HEADERS, 5, 20, 1));
  const during = await fetch(bigUrl, { headers: service.headers() });
  const stillRunning = ((await during.json()) as { data: { meta: { status: string } } }).data.meta.status === 'IN_PROGRESS';
  // Each side's reads of both its turns together: a 1 s turn holds about 200 reads, too few for a p99 of its own.
  const runningService = summarise([...turns[0]!, ...turns[2]!]);
  const runningBare = summarise([...turns[1]!, ...turns[3]!]);
  add(
    `2. clients polling the running 200 000-row batch itself, 5 clients every 20 ms${stillRunning ? '' : ' (processing ended before the polling did)'}: p99`,
    '< 25 ms',
    ms(runningService.p99),
    `${lat(runningService)} (two 1 s turns)`,
    `bare route reading the same running batch, turns in between: ${lat(runningBare)}`,
  );
  const bigMeta = await untilFinal(service, big, 200);
  if (bigMeta.success !== 200_000) throw new Error(`the 200 000-row batch: ${JSON.stringify(bigMeta)}`);
  await reader.stop();

  // 3. Status reads of finished batches under 50 connections, against two hand-written routes:
  // the three in turns (service, objects, text) of half a load each, twice, so that a noisy
  // stretch of the shared machine falls on all three alike; req/s averaged over the turns.
  const bares = { objects: await startBare(service.dbFile, 'objects'), text: await startBare(service.dbFile, 'text') };
  for (const [size, batchId] of [
    ['1 000', readBatch],
    ['200 000', big],
  ] as const) {
    const targets = {
      service: { url: `${service.url}${statusPath(batchId)}`, headers: readHeaders },
      objects: { url: `${bares.objects.url}${statusPath(batchId)}`, headers: BARE_HEADERS },
      text: { url: `${bares.text.url}${statusPath(batchId)}`, headers: BARE_HEADERS },
    };
    await sameAnswer(service, bares.objects.url, batchId);
    await sameAnswer(service, bares.text.url, batchId);
    const runs: Record<keyof typeof targets, Array<{ rps: number; p99: number }>> = { service: [], objects: [], text: [] };
    for (const { url, headers } of Object.values(targets)) await load(url, headers, 10, 2); // warm-up
    for (let turn = 0; turn < 2; turn++)
      for (const [name, { url, headers }] of Object.entries(targets) as Array<[keyof typeof targets, (typeof targets)['service']]>)
        runs[name].push(await load(url, headers, 50, SECONDS / 2));
    const mean = (name: keyof typeof targets) => ({
      rps: runs[name].reduce((sum, r) => sum + r.rps, 0) / runs[name].length,
      p99: Math.max(...runs[name].map((r) => r.p99)),
    });
    const [s, o, t] = [mean('service'), mean('objects'), mean('text')];
    add(
      `3. status read, finished ${size}-item batch, 50 connections: service ÷ hand-written route caching the lists as objects, req/s`,
      '≥ 0.90',
      n(s.rps / o.rps, 2),
      `${n(s.rps)} req/s, p99 ${s.p99} ms`,
      `bare fastify + better-sqlite3, lists cached as objects: ${n(o.rps)} req/s, p99 ${o.p99} ms`,
    );
    add(
      `3. the same read: service ÷ hand-written route caching the lists as JSON text, req/s`,
      '≥ 0.70',
      n(s.rps / t.rps, 2),
      `${n(s.rps)} req/s`,
      `bare fastify + better-sqlite3, lists cached as JSON text: ${n(t.rps)} req/s, p99 ${t.p99} ms`,
    );
  }
  await bares.objects.stop();
  await bares.text.stop();
  await service.stop();

  // 4. JSON create batches against the driver, same chunk size.
  const json = await jsonRun(49);
  const jsonBase = await driverBaselineMedian(49 * 1024);
  add(
    '4. JSON create, 49 × 1 024 items: containers/s while creating ÷ driver rows/s',
    '≥ 0.45',
    `${n(json.rate / jsonBase, 2)} (end to end ${n(json.endToEnd / jsonBase, 2)})`,
    `${n(json.rate)} containers/s while creating (first start to last completion); ${n(json.endToEnd)}/s from the first submit to the last final status`,
    `driver, chunks of ${n(CHUNK)}: ${n(jsonBase)} rows/s`,
  );

  // 5. CSV files, each on a fresh service, and JSON batches at both sizes.
  const small = await fileRun(10_000);
  const large = await fileRun(200_000);
  const fileBase = await driverBaselineMedian(200_000);
  add(
    '5. CSV file of 200 000 rows: rows/s ÷ driver rows/s',
    '≥ 0.55',
    n(large.rate / fileBase, 2),
    `${n(large.rate)} rows/s`,
    `driver, chunks of ${n(CHUNK)}: ${n(fileBase)} rows/s`,
  );
  const jsonSmall = await jsonRun(10);
  const jsonLarge = await jsonRun(196);
  add(
    '5. processing rate, 200 000 ÷ 10 000 items: CSV file; JSON batches of 1 024',
    '≥ ×0.85',
    `×${n(large.rate / small.rate, 2)} CSV, ×${n(jsonLarge.rate / jsonSmall.rate, 2)} JSON`,
    `CSV ${n(large.rate)} against ${n(small.rate)} rows/s; JSON (196 against 10 batches) ${n(jsonLarge.rate)} against ${n(jsonSmall.rate)} containers/s while creating`,
    '',
  );
  add('5. the 200 000-row file: upload to 202', '< 2 s', `${n(large.acceptedMs / 1000, 2)} s`, `10 000 rows: ${n(small.acceptedMs / 1000, 2)} s`, '');
  add(
    '5. peak RSS of the 200 000-row run above the 10 000-row run',
    '≤ 64 MiB',
    `${n(large.peak - small.peak)} MiB`,
    `peak RSS ${n(large.peak)} MiB (10 000 rows: ${n(small.peak)} MiB)`,
    '',
  );

  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}; load on loopback, ${SECONDS} s per load; ${n((performance.now() - began) / 60_000, 1)} min; load average ${loadAtStart} at the start, ${loadNow()} at the end.`,
    '',
    '| measure | target | latest | service | baseline (same run) |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  writeSection('bench', table);

  // 6: PostgreSQL (postgres.bench.ts), unless BENCH_POSTGRES=false.
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
