// `npm run bench:pg` (and scenario 5 of `npm run bench`): the service on PostgreSQL, as it is
// deployed there: one API process with WORKER_ENABLED=false for HTTP and 1, 2 and 4 worker
// processes (the app's dist/worker.js, as `npm run worker` runs it), each set on a fresh database
// of one durable throwaway server (fsync and synchronous commit on, as users run it):
//  a. one CSV file of 200 000 creates: rows/s from the 202 to the final status;
//  b. 50 JSON batches of 1 024 creates, submitted back to back: items/s from the first 202 to the
//     last batch final;
//  each against the same container and tracking rows inserted straight through `pg` on a fresh
//  database with the service's schema, in multi-row INSERTs of 1 024 rows (one transaction each)
//  over as many connections as there are workers; the 4-worker file run against the 1-worker one;
//  the peak resident memory (VmHWM) of every worker, its CPU time and the server's from the start
//  of the upload or the first submit to the end, and a 50 000-row file on one worker to see the
//  peak does not follow the file's size;
//  c. the status read of a finished 1 000-item batch, 50 connections (autocannon), against a bare
//     fastify + pg route answering the same JSON from the same database; and once more with the
//     service's result-list cache off, which reads the lists on every request as the bare route does.
// Smaller runs: BENCH_PG_ROWS (file rows; the memory comparison uses a quarter of it),
// BENCH_PG_BATCHES, BENCH_PG_WORKERS (e.g. `1,4`), BENCH_SECONDS (each load, 10 s).
import { DEFAULT_CHUNK_SIZE } from '@container-service/batch-domain';
import { UuidV7IdGenerator } from '@container-service/container-api';
import { Database } from '@container-service/persistence-typeorm';
import { FreshDatabase, ThrowawayPostgres, freshDatabase, startThrowawayPostgres } from '@container-service/test-postgres';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import {
  baselineRow,
  SECONDS,
  Service,
  WorkerProcess,
  commitMeasured,
  jsonBatch,
  load,
  machine,
  memoryMiB,
  n,
  startService,
  startWorker,
  untilFinal,
  upload,
  writeSection,
} from './support';

const ROWS = Number(process.env.BENCH_PG_ROWS ?? 200_000);
const SMALL_ROWS = Math.round(ROWS / 4);
const BATCHES = Number(process.env.BENCH_PG_BATCHES ?? 50);
const BATCH = 1024;
const WORKERS = (process.env.BENCH_PG_WORKERS ?? '1,2,4').split(',').map(Number);
// /proc/<pid>/stat counts CPU time in clock ticks: 100 a second on Linux (getconf CLK_TCK).
const TICKS = 100;

/**
 * The fields of a /proc stat file (a process's, or a thread's under task/) from field 3 (state) on:
 * field k is at index k - 3. The name before them is in brackets and may hold anything.
 */
function statFileFields(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(text.lastIndexOf(') ') + 2).split(' ');
}
const statFields = (pid: number | string) => statFileFields(`/proc/${pid}/stat`);

/** CPU seconds (user + system: fields 14 and 15) in a /proc stat file: a process's or a thread's so far. */
export function statCpuSeconds(file: string): number {
  const fields = statFileFields(file);
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** CPU seconds (user + system) a process has used so far, all its threads together. */
export const cpuSeconds = (pid: number): number => statCpuSeconds(`/proc/${pid}/stat`);

/**
 * CPU seconds the whole PostgreSQL server has used so far: the postmaster, what its children that
 * have exited used (fields 16 and 17), and every live child (backends, WAL writer, checkpointer).
 */
function serverCpuSeconds(postmaster: number): number {
  const own = statFields(postmaster);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(entry);
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return ticks / TICKS;
}

/** One API process (HTTP only) and `count` worker processes on a fresh database of `server`. */
interface Deployment {
  readonly databaseUrl: string;
  readonly api: Service;
  readonly workers: readonly WorkerProcess[];
  /** CPU seconds each worker, and the PostgreSQL server, have used since `mark()`. */
  cpu(): { workers: number[]; server: number };
  mark(): void;
  /** Peak resident memory of each worker (VmHWM), and of the API. */
  peaks(): { workers: number[]; api: number };
  stop(): Promise<void>;
}

export async function deploy(server: ThrowawayPostgres, count: number): Promise<Deployment> {
  const database = await freshDatabase(server.url, 'bench');
  const env = { DATABASE_URL: database.url };
  // The API first: it migrates the empty database; the workers then find the schema there.
  const api = await startService({ ...env, WORKER_ENABLED: 'false' });
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(env)));
  let marks = workers.map((w) => cpuSeconds(w.pid));
  let serverMark = serverCpuSeconds(server.pid);
  return {
    databaseUrl: database.url,
    api,
    workers,
    mark: () => {
      marks = workers.map((w) => cpuSeconds(w.pid));
      serverMark = serverCpuSeconds(server.pid);
    },
    cpu: () => ({ workers: workers.map((w, i) => cpuSeconds(w.pid) - marks[i]!), server: serverCpuSeconds(server.pid) - serverMark }),
    peaks: () => ({ workers: workers.map((w) => memoryMiB(w.pid, 'VmHWM')), api: memoryMiB(api.child.pid!, 'VmHWM') }),
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await api.stop();
      await database.drop();
    },
  };
}

interface Run {
  readonly rate: number;
  /** Seconds the rate is measured over. */
  readonly seconds: number;
  readonly cpu: { workers: number[]; server: number };
  readonly peaks: { workers: number[]; api: number };
}

/** A file of `rows` creates through `workers` worker processes: rows/s from the 202 to final. */
async function fileRun(server: ThrowawayPostgres, rows: number, workers: number): Promise<Run & { acceptedMs: number }> {
  const deployment = await deploy(server, workers);
  try {
    deployment.mark();
    const { batchId, acceptedMs } = await upload(deployment.api, rows);
    const t0 = performance.now();
    const meta = await untilFinal(deployment.api, batchId);
    const seconds = (performance.now() - t0) / 1000;
    if (meta.success !== rows) throw new Error(`file of ${rows} rows, ${workers} workers: ${JSON.stringify(meta)}`);
    return { rate: rows / seconds, seconds, acceptedMs, cpu: deployment.cpu(), peaks: deployment.peaks() };
  } finally {
    await deployment.stop();
  }
}

/**
 * BATCHES JSON batches of 1 024 creates, submitted back to back while the workers run: items/s
 * from the first 202 to the last batch final, and over the service's own window (the first
 * batch's startedAt to the last one's completedAt).
 */
async function jsonRun(server: ThrowawayPostgres, workers: number): Promise<Run & { windowRate: number; submitMs: number }> {
  const deployment = await deploy(server, workers);
  try {
    const { api } = deployment;
    deployment.mark();
    const ids = [await jsonBatch(api, 0, BATCH)];
    const t0 = performance.now();
    for (let b = 1; b < BATCHES; b++) ids.push(await jsonBatch(api, b * BATCH, BATCH));
    const submitMs = performance.now() - t0;
    for (const id of ids) await untilFinal(api, id, 20);
    const seconds = (performance.now() - t0) / 1000;
    const metas = await Promise.all(
      ids.map(async (id) => {
        const response = await fetch(`${api.url}/core/api/v2/containers/bag/batch/status?batchId=${id}`, { headers: api.headers() });
        return ((await response.json()) as { data: { meta: { startedAt: number; completedAt: number; success: number } } }).data.meta;
      }),
    );
    const created = metas.reduce((sum, m) => sum + m.success, 0);
    if (created !== BATCHES * BATCH) throw new Error(`JSON batches, ${workers} workers: ${created} of ${BATCHES * BATCH} created`);
    const windowMs = Math.max(...metas.map((m) => m.completedAt)) - Math.min(...metas.map((m) => m.startedAt));
    return { rate: created / seconds, seconds, windowRate: created / (windowMs / 1000), submitMs, cpu: deployment.cpu(), peaks: deployment.peaks() };
  } finally {
    await deployment.stop();
  }
}

/** The multi-row INSERTs of `count` baseline rows: 7 parameters a container, 2 a tracking id. */
export function baselineStatements(count: number): { containers: string; tracking: string } {
  const containers = Array.from({ length: count }, (_, r) => {
    const p = r * 7;
    return `('bench', $${p + 1}, 'bag', $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, '[]', NULL, false, true, false, $${p + 6}, $${p + 7}, NULL, NULL)`;
  });
  const tracking = Array.from({ length: count }, (_, r) => `('bench', 'DHL', $${r * 2 + 1}, $${r * 2 + 2})`);
  return {
    containers: `INSERT INTO containers (tenant_id, id, container_type, ref_id, scannable_id, tracking_details, attributes, items, parent_id, is_hazmat, is_containerizable, is_reusable, created_at, updated_at, created_by, updated_by) VALUES ${containers.join(', ')}`,
    tracking: `INSERT INTO container_tracking (tenant_id, operator, tracking_id, container_id) VALUES ${tracking.join(', ')}`,
  };
}

/**
 * Rows per second of `chunk` run over `rows` rows by all `clients` at once, each taking the next
 * 1 024 (`from` to `to`, the last chunk shorter) until none are left.
 */
export async function chunkedRate(
  clients: readonly Client[],
  rows: number,
  chunk: (client: Client, from: number, to: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < rows) {
        const from = next;
        const to = Math.min(rows, from + DEFAULT_CHUNK_SIZE);
        next = to;
        await chunk(client, from, to);
      }
    }),
  );
  return rows / ((performance.now() - t0) / 1000);
}

/**
 * The driver baseline on PostgreSQL: `rows` containers with a scannable id, an attribute and one
 * tracking id (the rows the service writes for each create), inserted into a fresh database with
 * the service's schema, over `connections` connections that each take the next 1 024 rows: one
 * transaction of two multi-row INSERTs (containers, tracking ids) per chunk; rows per second.
 */
export async function pgBaseline(server: ThrowawayPostgres, rows: number, connections: number): Promise<number> {
  const database: FreshDatabase = await freshDatabase(server.url, 'bench_base');
  try {
    await (await Database.open(database.url, { poolMax: 1 })).close();
    const clients = Array.from({ length: connections }, () => new Client({ connectionString: database.url }));
    await Promise.all(clients.map((c) => c.connect()));
    const full = baselineStatements(DEFAULT_CHUNK_SIZE);
    // Container ids as the service makes them (time-ordered, ADR 0028).
    const ids = new UuidV7IdGenerator();
    const rate = await chunkedRate(clients, rows, async (client, from, to) => {
      const now = Date.now();
      const containerValues: unknown[] = [];
      const trackingValues: unknown[] = [];
      for (let i = from; i < to; i++) {
        const row = baselineRow(i, ids, now);
        containerValues.push(...row.container);
        trackingValues.push(...row.tracking);
      }
      // Full chunks as named statements: parsed once per connection, as the service's are.
      const named = to - from === DEFAULT_CHUNK_SIZE;
      const sql = named ? full : baselineStatements(to - from);
      await client.query('BEGIN');
      await client.query({ ...(named ? { name: 'base-containers' } : {}), text: sql.containers, values: containerValues });
      await client.query({ ...(named ? { name: 'base-tracking' } : {}), text: sql.tracking, values: trackingValues });
      await client.query('COMMIT');
    });
    await Promise.all(clients.map((c) => c.end()));
    return rate;
  } finally {
    await database.drop();
  }
}

async function startBare(databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-status-postgres.server.js'), databaseUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare route exited with ${code}`)));
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url));
  });
  child.removeAllListeners('exit');
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
      }),
  };
}

/** The status read of a finished 1 000-item batch: the service and the bare route, 50 connections each. */
async function statusRun(server: ThrowawayPostgres) {
  const deployment = await deploy(server, 1);
  try {
    const { api } = deployment;
    const batchId = await jsonBatch(api, 0, 1000);
    await untilFinal(api, batchId);
    // Nothing else runs during the load: an idle worker would only poll for work.
    await Promise.all(deployment.workers.map((w) => w.stop()));
    const route = `/core/api/v2/containers/bag/batch/status?batchId=${batchId}`;
    const headers = { ...api.headers(), 'X-COREOS-REQUEST-ID': 'bench-read' };
    const bare = await startBare(deployment.databaseUrl);
    try {
      // The same answer, byte for byte, or the comparison means nothing.
      const [real, baseline] = await Promise.all([
        fetch(`${api.url}${route}`, { headers }).then((r) => r.text()),
        fetch(`${bare.url}${route}`, { headers: { 'X-COREOS-TID': 'bench' } }).then((r) => r.text()),
      ]);
      if (real !== baseline)
        throw new Error(`the bare route answers otherwise than the service:\nservice: ${real.slice(0, 600)}\nbare:    ${baseline.slice(0, 600)}`);
      await load(`${api.url}${route}`, headers, 10, 2); // warm-up, both sides
      await load(`${bare.url}${route}`, { 'X-COREOS-TID': 'bench' }, 10, 2);
      const service = await load(`${api.url}${route}`, headers, 50);
      const base = await load(`${bare.url}${route}`, { 'X-COREOS-TID': 'bench' }, 50);
      // The same read with the result-list cache off (ADR 0011): the service then reads the lists
      // on every request, as the bare route does, so this compares the read paths themselves.
      await api.stop();
      const uncached = await startService({ DATABASE_URL: deployment.databaseUrl, WORKER_ENABLED: 'false', STATUS_CACHE_ENTRIES: '0' }, { typeDefined: true });
      let noCache;
      try {
        await load(`${uncached.url}${route}`, headers, 10, 2);
        noCache = await load(`${uncached.url}${route}`, headers, 50);
      } finally {
        await uncached.stop();
      }
      if (service.errors + base.errors + noCache.errors > 0)
        throw new Error(`errors during the read load: ${service.errors} / ${base.errors} / ${noCache.errors}`);
      return { service, noCache, base };
    } finally {
      await bare.stop();
    }
  } finally {
    await deployment.stop();
  }
}

/** Runs every PostgreSQL scenario on a durable throwaway server it starts and stops; the table. */
export async function postgresBench(): Promise<string> {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const rows: string[][] = [];
  const add = (...cells: string[]) => {
    rows.push(cells);
    process.stderr.write(`${cells.join(' | ')}\n`);
  };
  const mib = (values: readonly number[]) => values.map((v) => n(v)).join(', ');
  const cpu = (run: Run) =>
    `CPU s: worker${run.cpu.workers.length === 1 ? '' : 's'} ${run.cpu.workers.map((v) => n(v, 1)).join(', ')}, PostgreSQL ${n(run.cpu.server, 1)}`;
  const server = await startThrowawayPostgres({ durable: true });
  const version = await serverVersion(server.url).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  try {
    const fileRuns = new Map<number, Awaited<ReturnType<typeof fileRun>>>();
    for (const workers of WORKERS) {
      const each = workers === 1 ? '1 worker' : `${workers} workers`;
      const file = await fileRun(server, ROWS, workers);
      const fileBase = await pgBaseline(server, ROWS, workers);
      fileRuns.set(workers, file);
      add(
        `5a. CSV file of ${n(ROWS)} creates, ${each}: rows/s from the 202 to final ÷ pg rows/s over ${workers} connection${workers === 1 ? '' : 's'}`,
        '≥ 0.40',
        n(file.rate / fileBase, 2),
        `${n(file.rate)} rows/s (${n(file.seconds, 1)} s; 202 after ${n(file.acceptedMs / 1000, 2)} s); ${cpu(file)}; peak RSS per worker ${mib(file.peaks.workers)} MiB (API ${n(file.peaks.api)})`,
        `pg, multi-row INSERTs of ${n(DEFAULT_CHUNK_SIZE)}: ${n(fileBase)} rows/s`,
      );
      const json = await jsonRun(server, workers);
      const jsonBase = await pgBaseline(server, BATCHES * BATCH, workers);
      add(
        `5b. ${BATCHES} JSON batches of 1 024 creates, ${each}: items/s from the first 202 to the last final ÷ pg rows/s over ${workers} connection${workers === 1 ? '' : 's'}`,
        '≥ 0.40',
        n(json.rate / jsonBase, 2),
        `${n(json.rate)} items/s (${n(json.seconds, 1)} s, the submits ${n(json.submitMs / 1000, 1)} s of it; first start to last completion: ${n(json.windowRate)}/s); ${cpu(json)}; peak RSS per worker ${mib(json.peaks.workers)} MiB`,
        `pg, multi-row INSERTs of ${n(DEFAULT_CHUNK_SIZE)}: ${n(jsonBase)} rows/s`,
      );
    }
    const most = Math.max(...WORKERS);
    const many = fileRuns.get(most);
    // The 1-worker run of 5a serves 5c and 5d; without one (BENCH_PG_WORKERS without 1), its own run.
    const large = fileRuns.get(1) ?? (await fileRun(server, ROWS, 1));
    if (many !== undefined && most > 1)
      add(
        `5c. the ${n(ROWS)}-row file: ${most} workers ÷ 1 worker, rows/s`,
        '≥ 1.5×',
        `${n(many.rate / large.rate, 2)}×`,
        `${n(many.rate)} against ${n(large.rate)} rows/s`,
        '',
      );
    const small = await fileRun(server, SMALL_ROWS, 1);
    add(
      `5d. peak RSS of the worker, ${n(ROWS)}-row file above ${n(SMALL_ROWS)}-row file, 1 worker`,
      '≤ 64 MiB',
      `${n(large.peaks.workers[0]! - small.peaks.workers[0]!)} MiB`,
      `peak RSS ${n(large.peaks.workers[0]!)} MiB (${n(SMALL_ROWS)} rows: ${n(small.peaks.workers[0]!)} MiB); ${n(large.rate)} and ${n(small.rate)} rows/s`,
      '',
    );
    const status = await statusRun(server);
    add(
      '5e. status read, finished 1 000-item batch, 50 connections: service ÷ bare route, req/s',
      '≥ 0.70',
      n(status.service.rps / status.base.rps, 2),
      `${n(status.service.rps)} req/s, p99 ${status.service.p99} ms`,
      `bare fastify + pg: ${n(status.base.rps)} req/s, p99 ${status.base.p99} ms`,
    );
    add(
      '5e. the same read, result-list cache off (STATUS_CACHE_ENTRIES=0): service ÷ bare route, req/s',
      '',
      n(status.noCache.rps / status.base.rps, 2),
      `${n(status.noCache.rps)} req/s, p99 ${status.noCache.p99} ms`,
      'the same bare route, above',
    );
  } finally {
    await server.stop();
  }
  const loadAfter = os.loadavg();
  const minutes = (performance.now() - started) / 60_000;
  return [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}, PostgreSQL ${version} (durable: fsync and synchronous commit on); ` +
      `load on loopback, ${SECONDS} s per load; ${n(minutes, 1)} min in all; load average ${n(loadBefore[0]!, 2)} at the start, ${n(loadAfter[0]!, 2)} at the end.`,
    '',
    '| measure | target | latest | service | baseline (same run) |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version.split(' ')[0] ?? '?';
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  postgresBench().then(
    (table) => {
      process.stdout.write(`${table}\n`);
      writeSection('bench-pg', table);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
