// What the benchmarks share: the built service as a child process on a fresh SQLite file, files
// generated as they are sent, the service's memory, and the driver baseline (the same container
// and tracking rows inserted straight through better-sqlite3 in chunked transactions).
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
export const CHUNK = 250;
// The service's process entry (dist/main.js), found through the app package's exports.
const MAIN = require.resolve('@container-service/container-api/main');
const CSV_HEADER = 'refID,scannableId,attributes.weight,trackingDetails\r\n';

/** Row i of the benchmark file: a scannable id, an attribute and a tracking id, all unique. */
const csvRow = (i: number) => `r-${i},S-${i},${i % 100},"[{""operator"":""DHL"",""trackingId"":""T-${i}""}]"\r\n`;

/** The multipart body of a file of `rows` rows, generated as it is sent. */
function multipartBody(rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === 0)
        controller.enqueue(
          encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n${CSV_HEADER}`),
        );
      if (next >= rows) {
        controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`));
        controller.close();
        return;
      }
      let text = '';
      const end = Math.min(rows, next + 1000);
      for (; next < end; next++) text += csvRow(next);
      controller.enqueue(encoder.encode(text));
    },
  });
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

/** The built service (the app's dist/main.js) on a fresh SQLite file, with a tenant `bench` and type `bag`. */
export async function startService(extraEnv: Record<string, string> = {}): Promise<Service> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  const dbFile = path.join(dir, 'service.sqlite');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: SECRET,
    DATABASE_URL: `sqlite:${dbFile}`,
    DATA_DIR: dir,
    WORKER_IDLE_MS: '20',
    ...passedOn(),
    ...extraEnv,
  };
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, MAIN], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (found) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${out}`)));
  });
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(new TextEncoder().encode(SECRET));
  let requests = 0;
  const headers = (extra: Record<string, string> = {}) => ({
    'X-COREOS-REQUEST-ID': `bench-${++requests}`,
    'X-COREOS-TID': 'bench',
    'X-COREOS-ACCESS': token,
    ...extra,
  });
  const base = `${url}/core/api/v2/containers`;
  const defined = await fetch(`${base}/container-types`, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }),
  });
  if (defined.status !== 202) throw new Error(`define: ${defined.status}`);
  return {
    child,
    url,
    dir,
    dbFile,
    headers,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
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

/** Uploads a generated file of `rows` rows; the batch id and the time to the 202. */
export async function upload(service: Service, rows: number): Promise<{ batchId: string; acceptedMs: number }> {
  const t0 = performance.now();
  const response = await fetch(`${service.url}/core/api/v2/containers/bag/batch/upload`, {
    method: 'POST',
    headers: service.headers({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
    body: multipartBody(rows),
    duplex: 'half',
  });
  if (response.status !== 202) throw new Error(`upload: ${response.status} ${await response.text()}`);
  const batchId = ((await response.json()) as { data: { id: string } }).data.id;
  return { batchId, acceptedMs: performance.now() - t0 };
}

/**
 * The driver baseline: `rows` containers with a scannable id, an attribute and one tracking id,
 * inserted through better-sqlite3 prepared statements into a fresh file with the service's
 * schema (WAL, synchronous=FULL), in transactions of CHUNK rows; rows per second.
 */
export async function driverBaseline(rows: number): Promise<number> {
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
      const id = `bag:${randomUUID()}`;
      insertContainer.run(
        id,
        `r-${i}`,
        `S-${i}`,
        JSON.stringify([{ operator: 'DHL', trackingId: `T-${i}`, isPrimary: true }]),
        JSON.stringify({ weight: i % 100 }),
        now,
        now,
      );
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

export const machine = () => `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
