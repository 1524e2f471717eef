// Benchmark of JSON batch processing on one machine, API and worker on one event loop (as with
// WORKER_THREAD=false; `npm run bench` measures the default, a worker thread, as scenario 3):
//  1. time from the 202 to the final status of one 1 024-item create batch;
//  2. containers created per second over ~50 000 items (49 batches of 1 024), and the status read's
//     p50/p99 measured while that run processes;
//  3. baseline, same run: the same container and tracking rows inserted straight into a fresh
//     SQLite file through better-sqlite3 in chunked transactions; the ratio compares the two.
// Usage: npm run bench:json
import { createApp, createLogger, loadConfig, resolveVerificationKey } from '@container-service/container-api';
import { Database } from '@container-service/persistence-typeorm';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHUNK, driverBaseline, machine } from './support';

const SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
const BATCH = 1024;
const BATCHES = 49;

const item = (b: number, i: number) => ({
  refID: `r-${b}-${i}`,
  scannableId: `S-${b}-${i}`,
  attributes: { weight: i % 100 },
  trackingDetails: [{ operator: 'DHL', trackingId: `T-${b}-${i}` }],
});

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-json-'));
  const config = loadConfig({
    AUTH_JWT_SECRET: SECRET,
    DATABASE_URL: `sqlite:${path.join(dir, 'service.sqlite')}`,
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    WORKER_IDLE_MS: '20',
    WORKER_CHUNK_SIZE: process.env.WORKER_CHUNK_SIZE ?? '',
  });
  const database = await Database.open(config.databaseUrl);
  const app = await createApp({ config, database, verificationKey: resolveVerificationKey(config.auth, dir), logger: createLogger('warn') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `${await app.getUrl()}/core/api/v2/containers`;
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const headers = { 'X-COREOS-REQUEST-ID': 'bench', 'X-COREOS-TID': 'bench', 'X-COREOS-ACCESS': token, 'content-type': 'application/json' };
  let submits = 0;
  const post = async (url: string, body: unknown) => {
    // A fresh request id per submit, as a client sends it (it correlates; it does not deduplicate).
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'X-COREOS-REQUEST-ID': `bench-${++submits}` }, body: JSON.stringify(body) });
    if (response.status !== 202) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { data: { id: string } }).data.id;
  };
  const meta = async (batchId: string) => {
    const response = await fetch(`${base}/bag/batch/status?batchId=${batchId}`, { headers });
    return ((await response.json()) as { data: { meta: { status: string; success: number } } }).data.meta;
  };
  const finished = (status: string) => !['QUEUED', 'IN_PROGRESS'].includes(status);
  await post(`${base}/container-types`, { name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] });

  // 1. One 1 024-item batch, 202 to final.
  const t0 = performance.now();
  const single = await post(`${base}/bag/batch`, { payload: Array.from({ length: BATCH }, (_, i) => item(0, i)) });
  const accepted = performance.now() - t0;
  while (!finished((await meta(single)).status)) await new Promise((resolve) => setTimeout(resolve, 10));
  const singleMs = performance.now() - t0 - accepted;

  // 2. ~50 000 items: submit every batch, then watch until all are final, polling status meanwhile.
  const started = performance.now();
  const ids: string[] = [];
  for (let b = 1; b <= BATCHES; b++) ids.push(await post(`${base}/bag/batch`, { payload: Array.from({ length: BATCH }, (_, i) => item(b, i)) }));
  const submittedMs = performance.now() - started;
  const latencies: number[] = [];
  for (;;) {
    const p0 = performance.now();
    const last = await meta(ids[ids.length - 1]!);
    latencies.push(performance.now() - p0);
    if (finished(last.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const totalMs = performance.now() - started;
  const created = BATCHES * BATCH;
  const serviceRate = created / (totalMs / 1000);
  await app.close();

  // 3. Baseline: the same kind of rows straight through the driver, in chunked transactions.
  const baselineRate = await driverBaseline(created);
  fs.rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  process.stdout.write(
    [
      `JSON batches, ${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
      '',
      '| measure | value |',
      '|---|---:|',
      `| one 1 024-item batch: submit to 202 | ${accepted.toFixed(0)} ms |`,
      `| one 1 024-item batch: 202 to final status | ${singleMs.toFixed(0)} ms |`,
      `| ${created.toLocaleString('en-US')} items in ${BATCHES} batches: all submitted (202s) | ${(submittedMs / 1000).toFixed(1)} s |`,
      `| ${created.toLocaleString('en-US')} items: first submit to last final | ${(totalMs / 1000).toFixed(1)} s |`,
      `| containers created per second (service) | ${serviceRate.toFixed(0)} |`,
      `| rows per second, driver baseline (chunks of ${CHUNK}) | ${baselineRate.toFixed(0)} |`,
      `| ratio service / baseline | ${(serviceRate / baselineRate).toFixed(3)} |`,
      `| status read while processing: p50 / p99 (${latencies.length} reads) | ${at(0.5).toFixed(1)} ms / ${at(0.99).toFixed(1)} ms |`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
