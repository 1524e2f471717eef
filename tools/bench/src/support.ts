// What the benchmarks share: the built service as a child process on a fresh SQLite file (or on
// the database a benchmark names), worker processes, files generated as they are sent, JSON
// batches, the load generator, the processes' memory, the driver baseline (the same container and
// tracking rows inserted straight through better-sqlite3 in chunked transactions), and the
// writing of a table into docs/benchmarks.md.
import { DEFAULT_CHUNK_SIZE, IdGenerator } from '@container-service/batch-domain';
import { UuidV7IdGenerator } from '@container-service/container-api';
import { Database } from '@container-service/persistence-typeorm';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { SignJWT } from 'jose';
import { ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BOUNDARY = 'bench-boundary';
/** Rows per baseline transaction: the service's chunk (WORKER_CHUNK_SIZE's default), so both commit as often. */
export const CHUNK = Number(process.env.WORKER_CHUNK_SIZE || DEFAULT_CHUNK_SIZE);
// The service's process entries (dist/main.js, and dist/worker.js beside it), found through the
// app package's exports.
const MAIN = require.resolve('@container-service/container-api/main');
const WORKER = path.join(path.dirname(MAIN), 'worker.js');
const CSV_HEADER = 'refID,scannableId,attributes.weight,trackingDetails\r\n';

/** Row i of the benchmark file: a scannable id, an attribute and a tracking id, all unique. */
const csvRow = (i: number) => `r-${i},S-${i},${i % 100},"[{""operator"":""DHL"",""trackingId"":""T-${i}""}]"\r\n`;

/**
 * The multipart body of a file of `rows` rows, built once per size and kept, so that sending it
 * costs the benchmark's own process (which also runs the polling clients) next to nothing; with
 * `repeatFirst`, the last row repeats the first row's refID, so the service reads and stores the
 * whole file, then refuses it (400) and discards what it stored.
 */
const bodies = new Map<string, Buffer>();
export function multipartBody(rows: number, repeatFirst = false): Buffer {
  const key = `${rows}:${repeatFirst}`;
  let body = bodies.get(key);
  if (body === undefined) {
    const parts = [`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n${CSV_HEADER}`];
    for (let i = 0; i < rows; i++) parts.push(repeatFirst && i === rows - 1 ? csvRow(i).replace(`r-${i},`, 'r-0,') : csvRow(i));
    parts.push(`\r\n--${BOUNDARY}--\r\n`);
    body = Buffer.from(parts.join(''));
    bodies.set(key, body);
  }
  return body;
}

export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

export interface Service {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dir: string;
  readonly dbFile: string;
  readonly headers: (extra?: Record<string, string>) => Record<string, string>;
  stop(): Promise<void>;
}

/** The worker settings a control run may vary, passed on from the benchmark's environment. */
const passedOn = () =>
  Object.fromEntries(
    ['WORKER_CHUNK_SIZE', 'WORKER_THREAD', 'WORKER_THREAD_NICE'].filter((name) => process.env[name]).map((name) => [name, process.env[name]!]),
  );

/** Every process of the service a benchmark started and has not stopped yet: ended by pid if the benchmark exits first. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

/** The environment of every process of the service: the settings below, then the caller's. */
function serviceEnv(dir: string, extraEnv: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: SECRET,
    DATABASE_URL: `sqlite:${path.join(dir, 'service.sqlite')}`,
    DATA_DIR: dir,
    WORKER_IDLE_MS: '20',
    ...passedOn(),
    ...extraEnv,
  };
}

/** Starts a built entry of the app as a child process; it is stopped by its pid (SIGTERM), waiting for its exit. */
function spawnEntry(entry: string, dir: string, extraEnv: Record<string, string>): { child: ChildProcess; stop: () => Promise<void> } {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, entry], { cwd: dir, env: serviceEnv(dir, extraEnv), stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${entry}`);
  running.add(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(pid));
  return {
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}

/** Resolves with the first match of `pattern` in the child's stdout, then lets the rest drain unread. */
function untilLogged(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const stdout = child.stdout;
    if (!stdout) throw new Error(`${what}: no stdout`);
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code}: ${out}`));
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = pattern.exec(out);
      if (found) {
        stdout.removeAllListeners('data');
        stdout.resume();
        child.off('exit', onExit);
        resolve(found);
      }
    });
    child.once('exit', onExit);
  });
}

/**
 * The built service (the app's dist/main.js) with a tenant `bench` and type `bag`: on a fresh
 * SQLite file, or on the store `extraEnv.DATABASE_URL` names (with WORKER_ENABLED=false, HTTP only;
 * `typeDefined` when another process has defined the type there already).
 */
export async function startService(extraEnv: Record<string, string> = {}, { typeDefined = false } = {}): Promise<Service> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  const dbFile = path.join(dir, 'service.sqlite');
  const { child, stop } = spawnEntry(MAIN, dir, extraEnv);
  const url = (await untilLogged(child, /"url":"(http:\/\/[^"]+)"/, 'service'))[1]!;
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(new TextEncoder().encode(SECRET));
  let requests = 0;
  const headers = (extra: Record<string, string> = {}) => ({
    'X-COREOS-REQUEST-ID': `bench-${++requests}`,
    'X-COREOS-TID': 'bench',
    'X-COREOS-ACCESS': token,
    ...extra,
  });
  if (!typeDefined) {
    const defined = await fetch(`${url}/core/api/v2/containers/container-types`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }),
    });
    if (defined.status !== 202) throw new Error(`define: ${defined.status}`);
  }
  return {
    child,
    url,
    dir,
    dbFile,
    headers,
    stop: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/** A worker process (the app's dist/worker.js, as `npm run worker` runs it), once it has said it started. */
export async function startWorker(extraEnv: Record<string, string>): Promise<WorkerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-worker-'));
  const { child, stop } = spawnEntry(WORKER, dir, extraEnv);
  await untilLogged(child, /batch worker started/, 'worker');
  return {
    pid: child.pid!,
    stop: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** `connections` clients of autocannon reading `url` for `seconds` (BENCH_SECONDS, 10 by default). */
export async function load(url: string, headers: Record<string, string>, connections: number, seconds = SECONDS, overallRate?: number): Promise<Load> {
  const result = await autocannon({ url, connections, duration: seconds, headers, ...(overallRate ? { overallRate } : {}) });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** Submits a JSON batch of `count` creates (ids from `from` on, under `prefix`); its id. */
export async function jsonBatch(service: Service, from: number, count: number, prefix = 'j'): Promise<string> {
  const payload = Array.from({ length: count }, (_, i) => ({
    refID: `${prefix}-${from + i}`,
    scannableId: `${prefix.toUpperCase()}S-${from + i}`,
    attributes: { weight: (from + i) % 100 },
    trackingDetails: [{ operator: 'DHL', trackingId: `${prefix.toUpperCase()}T-${from + i}` }],
  }));
  const response = await fetch(`${service.url}/core/api/v2/containers/bag/batch`, {
    method: 'POST',
    headers: service.headers({ 'content-type': 'application/json' }),
    body: JSON.stringify({ payload }),
  });
  if (response.status !== 202) throw new Error(`submit: ${response.status}`);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

/** Polls the batch's status until it is final; its meta. */
export async function untilFinal(service: Service, batchId: string, pollMs = 50): Promise<{ status: string; success: number; failed: number; total: number }> {
  for (;;) {
    const response = await fetch(`${service.url}/core/api/v2/containers/bag/batch/status?batchId=${batchId}`, { headers: service.headers() });
    const meta = ((await response.json()) as { data: { meta: { status: string; success: number; failed: number; total: number } } }).data.meta;
    if (!['QUEUED', 'IN_PROGRESS'].includes(meta.status)) return meta;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Uploads a generated file of `rows` rows; the batch id and the time to the 202. With `refused`,
 * the file's last row repeats a refID: the whole file is read and stored, then refused (400).
 */
export async function upload(service: Service, rows: number, { refused = false } = {}): Promise<{ batchId: string; acceptedMs: number }> {
  const body = multipartBody(rows, refused);
  const t0 = performance.now();
  const response = await fetch(`${service.url}/core/api/v2/containers/bag/batch/upload`, {
    method: 'POST',
    headers: service.headers({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
    body,
  });
  if (refused) {
    if (response.status !== 400) throw new Error(`refused upload: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return { batchId: '', acceptedMs: performance.now() - t0 };
  }
  if (response.status !== 202) throw new Error(`upload: ${response.status} ${await response.text()}`);
  const batchId = ((await response.json()) as { data: { id: string } }).data.id;
  return { batchId, acceptedMs: performance.now() - t0 };
}

/**
 * One row of the driver baselines (SQLite and PostgreSQL): the container the service would create
 * for item `i` of the benchmark's files (id from the service's generator), and its tracking row.
 */
export function baselineRow(
  i: number,
  ids: IdGenerator,
  now: number,
): { container: [string, string, string, string, string, number, number]; tracking: [string, string] } {
  const id = `bag:${ids.uuid()}`;
  return {
    container: [
      id,
      `r-${i}`,
      `S-${i}`,
      JSON.stringify([{ operator: 'DHL', trackingId: `T-${i}`, isPrimary: true }]),
      JSON.stringify({ weight: i % 100 }),
      now,
      now,
    ],
    tracking: [`T-${i}`, id],
  };
}

/**
 * The driver baseline: `rows` containers with a scannable id, an attribute and one tracking id,
 * inserted through better-sqlite3 prepared statements into a fresh file with the service's
 * schema and indexes (migrated by the service's own Database), its durability settings (WAL,
 * synchronous=FULL), in transactions of CHUNK rows (the service's chunk), with container ids
 * made as the service makes them (time-ordered, ADR 0028); rows per second.
 */
export async function driverBaseline(rows: number, ids: IdGenerator = new UuidV7IdGenerator()): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-base-'));
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
      const row = baselineRow(i, ids, now);
      insertContainer.run(...row.container);
      insertTracking.run(...row.tracking);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < rows; i += CHUNK) chunk(i, Math.min(rows, i + CHUNK));
  const rate = rows / ((performance.now() - t0) / 1000);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return rate;
}

/**
 * The driver baseline's median over `runs` runs: one run of 50 000 rows lasts half a second, and
 * on this shared machine such a run varied by half between runs minutes apart.
 */
export async function driverBaselineMedian(rows: number, runs = 3): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(await driverBaseline(rows));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? NaN;
}

export const machine = () => `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;

/** Figures as the tables print them: grouped thousands, `digits` decimals. */
export const n = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The commit measured, and whether the worktree had changes on top of it; not counting
 * docs/benchmarks.md, which `npm run bench` itself writes before its PostgreSQL part.
 */
export function commitMeasured(): string {
  const commit = execSync('git rev-parse --short HEAD', { cwd: __dirname }).toString().trim();
  const changed = execSync('git status --porcelain', { cwd: __dirname }).toString().split('\n');
  const dirty = changed.some((line) => line.trim() !== '' && !line.endsWith('docs/benchmarks.md'));
  return `commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}`;
}

const DOC = path.resolve(__dirname, '../../../docs/benchmarks.md');

/** Replaces what stands between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md with `text`. */
export function writeSection(name: string, text: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const doc = fs.readFileSync(DOC, 'utf8');
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from !== -1 && to > from) fs.writeFileSync(DOC, `${doc.slice(0, from + start.length)}\n${text}\n${doc.slice(to)}`);
  else process.stderr.write(`docs/benchmarks.md has no ${start} … ${end}: the table is printed only\n`);
}
