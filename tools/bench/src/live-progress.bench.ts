// Benchmark: what following a running batch costs the database. Seeds one batch into a fresh
// SQLite file, starts the real app in process, and records outcomes into the batch every 200 ms
// through the store (as a worker elsewhere would). Then, for SECONDS each, counts the store's
// reads (Database.read calls: one per status read) while N clients
//   1. poll GET /batch/status once a second each (the baseline: what clients did before),
//   2. ask GET /batch/status?wait=5 again and again,
//   3. hold GET /batch/events open.
// Usage: npm run bench:progress [-- --clients 100 --seconds 10]
import { Batch, ItemOutcome, batchIdFromUuid } from '@container-service/batch-domain';
import { createApp, createLogger, loadConfig, resolveVerificationKey } from '@container-service/container-api';
import { CONTAINER_BATCH_KIND } from '@container-service/container-domain';
import { Database } from '@container-service/persistence-typeorm';
import { TypeOrmBatchSeeder } from '@container-service/persistence-typeorm/testing';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
const TOTAL = 100_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clients: { type: 'string', default: '100' }, seconds: { type: 'string', default: '10' } } });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  // No worker: the outcomes below are the only processing.
  const config = loadConfig({
    AUTH_JWT_SECRET: SECRET,
    DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`,
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    WORKER_ENABLED: 'false',
  });
  const database = await Database.open(config.databaseUrl);
  let reads = 0;
  const read = database.read.bind(database);
  database.read = (work) => {
    reads++;
    return read(work);
  };

  const id = batchIdFromUuid('be000000-0000-4000-8000-00000000e7e7');
  const submitted = Batch.submit(
    { id, tenantId: 'bench', kind: CONTAINER_BATCH_KIND, targetType: 'bag', operation: 'create', source: 'json', total: TOTAL },
    Date.now(),
  );
  if (!submitted.ok) throw new Error(submitted.error.message);
  const batch = submitted.value;
  const seeder = new TypeOrmBatchSeeder(database);
  await seeder.add(
    batch,
    (function* () {
      for (let i = 0; i < TOTAL; i++) yield { refId: `ref-${i}`, row: null, input: { refID: `ref-${i}` } };
    })(),
  );
  // Outcomes land every 200 ms, 50 at a time, for as long as the benchmark runs.
  let nextSeq = 0;
  const outcomes = { flowing: true };
  const processed = (async () => {
    while (outcomes.flowing) {
      const chunk: ItemOutcome[] = Array.from({ length: 50 }, () => ({ seq: nextSeq, kind: 'success', resultId: `bag:${nextSeq++}` }));
      batch.start(Date.now());
      batch.recordOutcomes(
        chunk.map(() => 'success' as const),
        Date.now(),
      );
      await seeder.recordOutcomes(batch, chunk);
      await sleep(200);
    }
  })();

  const app = await createApp({ config, database, verificationKey: resolveVerificationKey(config.auth, dir), logger: createLogger('warn') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `${await app.getUrl()}/core/api/v2/containers/bag/batch`;
  const token = await new SignJWT({ tid: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const headers = { 'X-COREOS-REQUEST-ID': 'bench', 'X-COREOS-TID': 'bench', 'X-COREOS-ACCESS': token };

  /** Runs `client` N times at once for the benchmark's length; reads per second and answers or events seen. */
  async function measure(client: (until: number) => Promise<number>): Promise<{ readsPerSecond: number; seen: number }> {
    const before = reads;
    const started = Date.now();
    const until = started + seconds * 1000;
    const seen = await Promise.all(Array.from({ length: clients }, () => client(until)));
    const elapsed = (Date.now() - started) / 1000;
    return { readsPerSecond: (reads - before) / elapsed, seen: seen.reduce((a, b) => a + b, 0) };
  }

  const polling = await measure(async (until) => {
    let answers = 0;
    while (Date.now() < until) {
      await (await fetch(`${base}/status?batchId=${id}`, { headers })).arrayBuffer();
      answers++;
      await sleep(1000);
    }
    return answers;
  });
  const waiting = await measure(async (until) => {
    let answers = 0;
    while (Date.now() < until) {
      await (await fetch(`${base}/status?batchId=${id}&wait=5`, { headers })).arrayBuffer();
      answers++;
    }
    return answers;
  });
  const watching = await measure(
    (until) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${base}/events?batchId=${id}`, { headers, agent: false }, (response) => {
            let events = 0;
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (events += chunk.split('event: ').length - 1));
            setTimeout(() => {
              response.destroy();
              resolve(events);
            }, until - Date.now());
          })
          .on('error', reject);
      }),
  );

  outcomes.flowing = false;
  await processed;
  await app.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const machine = `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const row = (what: string, m: { readsPerSecond: number; seen: number }, seenAs: string) =>
    `| ${what} | ${m.readsPerSecond.toFixed(2)} | ${m.seen.toLocaleString('en-US')} ${seenAs} |`;
  process.stdout.write(
    [
      `Following one running batch: ${clients} clients, ${seconds} s each, outcomes every 200 ms. ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
      '',
      '| clients do | store reads per second | seen by the clients |',
      '|---|---:|---:|',
      row('poll `GET /batch/status` once a second each (baseline)', polling, 'answers'),
      row('repeat `GET /batch/status?wait=5`', waiting, 'answers'),
      row('hold `GET /batch/events` open', watching, 'events'),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
