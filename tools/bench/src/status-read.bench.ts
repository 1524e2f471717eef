// Benchmark: does a status read grow with the batch's size? Seeds batches of 1 000, 10 000 and
// 200 000 items through the test seeder into a fresh SQLite file, times the repository's
// status read in process, then starts the real app on loopback and times GET /batch/status,
// with one client and with concurrent clients. From 10 000 items on, both result lists are at
// their 1 024-entry cap, so those rows return answers of the same size.
// Usage: npm run bench:status [-- --requests 2000 --concurrency 16]
import { Batch, ItemOutcome, batchIdFromUuid } from '@container-service/batch-domain';
import { createApp, createLogger, loadConfig, resolveVerificationKey } from '@container-service/container-api';
import { CONTAINER_BATCH_KIND } from '@container-service/container-domain';
import { Database, TypeOrmBatchRepository } from '@container-service/persistence-typeorm';
import { TypeOrmBatchSeeder } from '@container-service/persistence-typeorm/testing';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const SECRET = 'benchmark-secret-that-is-at-least-32-bytes';

async function seed(repository: TypeOrmBatchSeeder, n: number, size: number): Promise<{ id: string; seedMs: number }> {
  const started = performance.now();
  const id = batchIdFromUuid(`be000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`);
  const submitted = Batch.submit(
    { id, tenantId: 'bench', kind: CONTAINER_BATCH_KIND, targetType: 'bag', operation: 'create', source: 'file', total: size },
    Date.now(),
  );
  if (!submitted.ok) throw new Error(submitted.error.message);
  const batch = submitted.value;
  await repository.add(
    batch,
    (function* () {
      for (let i = 0; i < size; i++) yield { refId: `ref-${i}`, row: i + 2, input: { refID: `ref-${i}`, attributes: { weight: i % 50 } } };
    })(),
  );
  // Every fourth item fails, the rest succeed, recorded in chunks as processing would.
  const CHUNK = 5000;
  for (let start = 0; start < size; start += CHUNK) {
    const outcomes: ItemOutcome[] = [];
    for (let seq = start; seq < Math.min(size, start + CHUNK); seq++) {
      outcomes.push(
        seq % 4 === 3
          ? { seq, kind: 'failed', reason: "attribute 'weight' must be a number", code: 'ATTRIBUTE_INVALID' }
          : { seq, kind: 'success', resultId: `bag:${seq}` },
      );
    }
    batch.recordOutcomes(
      outcomes.map((o) => o.kind),
      Date.now(),
    );
    await repository.recordOutcomes(batch, outcomes);
  }
  return { id, seedMs: performance.now() - started };
}

async function timeRequests(url: string, headers: Record<string, string>, requests: number, concurrency: number) {
  const latencies: number[] = [];
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t0 = performance.now();
        const response = await fetch(url, { headers });
        const body = await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        bytes = body.byteLength;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), rps: requests / seconds, bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' } } });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  const config = loadConfig({ AUTH_JWT_SECRET: SECRET, DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`, DATA_DIR: dir, LOG_LEVEL: 'warn' });
  const database = await Database.open(config.databaseUrl);
  const repository = new TypeOrmBatchRepository(database);

  const sizes = [1_000, 10_000, 200_000];
  const seeded = [];
  const seeder = new TypeOrmBatchSeeder(database);
  for (const [i, size] of sizes.entries()) seeded.push({ size, ...(await seed(seeder, i + 1, size)) });

  const storeTimes = new Map<string, { p50: number; p99: number }>();
  for (const batch of seeded) {
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await repository.findStatus({ tenantId: 'bench', kind: CONTAINER_BATCH_KIND, targetType: 'bag', batchId: batch.id as never }, 1024);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    storeTimes.set(batch.id, { p50: times[250]!, p99: times[495]! });
  }

  const app = await createApp({ config, database, verificationKey: resolveVerificationKey(config.auth, dir), logger: createLogger('warn') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = await app.getUrl();
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const headers = { 'X-COREOS-REQUEST-ID': 'bench', 'X-COREOS-TID': 'bench', 'X-COREOS-ACCESS': token };

  const rows: string[] = [];
  for (const batch of seeded) {
    const url = `${base}/core/api/v2/containers/bag/batch/status?batchId=${batch.id}`;
    await timeRequests(url, headers, 200, 4); // warm-up
    const sequential = await timeRequests(url, headers, requests, 1);
    const concurrent = await timeRequests(url, headers, requests, concurrency);
    rows.push(
      `| ${batch.size.toLocaleString('en-US')} | ${(batch.seedMs / 1000).toFixed(1)} s | ${storeTimes.get(batch.id)!.p50.toFixed(2)} ms | ${(sequential.bytes / 1024).toFixed(0)} KiB | ` +
        `${sequential.p50.toFixed(2)} ms | ${sequential.p99.toFixed(2)} ms | ${concurrent.rps.toFixed(0)} | ${concurrent.p99.toFixed(2)} ms |`,
    );
  }
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const machine = `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(
    [
      `Status read, ${requests} requests per row; concurrent column: ${concurrency} clients. ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
      '',
      '| batch items | seed time | store read p50 | answer size | HTTP p50 (1 client) | HTTP p99 (1 client) | req/s (concurrent) | p99 (concurrent) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
