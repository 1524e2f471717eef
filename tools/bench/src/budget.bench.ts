// `npm run bench:budget`: what bounds the processing rows of `npm run bench` on this machine. For
// each scenario it measures the service's rate with its driver baseline in the same run, and the
// CPU every item costs, thread by thread (from /proc/<pid>/task), over the scenario's window:
//   file (row 5):  a 200 000-row CSV file on SQLite, from the 202 to the final status;
//   JSON (row 4):  49 JSON batches of 1 024 on SQLite, from the first submit to the last final
//                  status, the benchmark's own process (which sends the batches) counted too;
//   PostgreSQL (rows 5a, 5c): the file with 1, 2 and 4 worker processes, from the 202 to the final
//                  status, each worker, the API and the whole server (BENCH_POSTGRES=false skips it).
// From those it derives two bounds that no tuning of the service's waits can pass:
//   one writer:  on SQLite a chunk holds the one write lock while its worker thread works, so the
//                rate cannot pass 1 ÷ (the worker thread's CPU per item);
//   all cores:   the machine's cores (os.cpus) ÷ (the CPU per item of every process in the run),
//                even if the work were spread over every core without a moment lost.
// and what each target asks: the CPU per item the worker thread (SQLite) or the whole run
// (PostgreSQL) may spend at most for the target's ratio to be reached.
// Usage: npm run bench:budget [-- --rows 200000 --batches 49]
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startThrowawayPostgres } from '@container-service/test-postgres';
import { cpuSeconds, deploy, pgBaseline } from './postgres.bench';
import { commitMeasured, driverBaselineMedian, jsonBatch, machine, n, startService, untilFinal, upload, writeSection } from './support';

const CORES = os.cpus().length;
const TICKS = 100;

/** CPU seconds of each thread of `pid` so far, by thread id. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * CPU seconds since `before` of the service process `pid`: its request thread (the process's first
 * thread), its busiest other thread (the worker thread, where batches are processed), and all its
 * other threads together (V8's garbage collection and compiler helpers, libuv's pool).
 */
function split(pid: number, before: Map<string, number>): { request: number; worker: number; other: number } {
  const used = [...threadSeconds(pid)].map(([tid, s]) => ({ tid, s: s - (before.get(tid) ?? 0) }));
  const request = used.find((t) => t.tid === String(pid))?.s ?? 0;
  const rest = used.filter((t) => t.tid !== String(pid)).sort((a, b) => b.s - a.s);
  const worker = rest[0]?.s ?? 0;
  return { request, worker, other: rest.slice(1).reduce((sum, t) => sum + t.s, 0) };
}

const us = (seconds: number, items: number) => (seconds * 1e6) / items;
const f1 = (v: number) => v.toFixed(1);

interface Line {
  readonly what: string;
  readonly rate: number;
  readonly base: number;
  readonly target: number;
  readonly cpu: string;
  readonly oneWriter: number | null;
  readonly allCores: number;
  readonly needs: string;
}

async function sqliteFile(rows: number, base: number): Promise<Line> {
  const service = await startService();
  const pid = service.child.pid!;
  const { batchId } = await upload(service, rows);
  const before = threadSeconds(pid);
  const t0 = performance.now();
  await untilFinal(service, batchId);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = split(pid, before);
  await service.stop();
  const total = us(cpu.request + cpu.worker + cpu.other, rows);
  return {
    what: `5. CSV file of ${n(rows)} rows, SQLite`,
    rate: rows / seconds,
    base,
    target: 0.55,
    cpu: `request thread ${f1(us(cpu.request, rows))}, worker thread ${f1(us(cpu.worker, rows))} (busy ${((100 * cpu.worker) / seconds).toFixed(0)} % of the window), other threads ${f1(us(cpu.other, rows))}; ${f1(total)} in all`,
    oneWriter: rows / cpu.worker,
    allCores: (CORES * 1e6) / total,
    needs: `worker thread ≤ ${f1(1e6 / (0.55 * base))} µs an item`,
  };
}

async function sqliteJson(batches: number, base: number): Promise<Line> {
  const items = batches * 1024;
  const service = await startService();
  const pid = service.child.pid!;
  const before = threadSeconds(pid);
  const client = process.cpuUsage();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let b = 0; b < batches; b++) ids.push(await jsonBatch(service, b * 1024, 1024));
  for (const id of ids) await untilFinal(service, id, 20);
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(client);
  const cpu = split(pid, before);
  await service.stop();
  const clientSeconds = (own.user + own.system) / 1e6;
  const total = us(cpu.request + cpu.worker + cpu.other + clientSeconds, items);
  return {
    what: `4. ${batches} JSON batches of 1 024, SQLite (first submit to last final)`,
    rate: items / seconds,
    base,
    target: 0.45,
    cpu: `request thread ${f1(us(cpu.request, items))}, worker thread ${f1(us(cpu.worker, items))}, other threads ${f1(us(cpu.other, items))}, the benchmark's client ${f1(us(clientSeconds, items))}; ${f1(total)} in all`,
    oneWriter: items / cpu.worker,
    allCores: (CORES * 1e6) / total,
    needs: `worker thread ≤ ${f1(1e6 / (0.45 * base))} µs an item, and the whole run ≤ ${f1((CORES * 1e6) / (0.45 * base))}`,
  };
}

/** The file on PostgreSQL with `workers` worker processes; also the cores the run kept busy. */
async function postgresFile(server: Awaited<ReturnType<typeof startThrowawayPostgres>>, rows: number, workers: number): Promise<Line & { cores: number }> {
  const base = await pgBaseline(server, rows, workers);
  const deployment = await deploy(server, workers);
  try {
    const { batchId } = await upload(deployment.api, rows);
    deployment.mark();
    const api0 = cpuSeconds(deployment.api.child.pid!);
    const t0 = performance.now();
    await untilFinal(deployment.api, batchId);
    const seconds = (performance.now() - t0) / 1000;
    const used = deployment.cpu();
    const apiSeconds = cpuSeconds(deployment.api.child.pid!) - api0;
    const workerSeconds = used.workers.reduce((sum, s) => sum + s, 0);
    const total = us(workerSeconds + used.server + apiSeconds, rows);
    return {
      what: `5a. CSV file of ${n(rows)} rows, PostgreSQL, ${workers} worker${workers === 1 ? '' : 's'}`,
      rate: rows / seconds,
      base,
      target: 0.4,
      cpu: `workers ${f1(us(workerSeconds, rows))}, PostgreSQL ${f1(us(used.server, rows))}, API ${f1(us(apiSeconds, rows))}; ${f1(total)} in all (${((workerSeconds + used.server + apiSeconds) / seconds).toFixed(2)} cores busy)`,
      oneWriter: null,
      allCores: (CORES * 1e6) / total,
      needs: `the whole run ≤ ${f1((CORES * 1e6) / (0.4 * base))} µs an item`,
      cores: (workerSeconds + used.server + apiSeconds) / seconds,
    };
  } finally {
    await deployment.stop();
  }
}

const row = (l: Line) =>
  `| ${l.what} | ${n(l.rate)} (${(l.rate / l.base).toFixed(2)}) | ${n(l.base)} | ≥ ${l.target.toFixed(2)} | ${l.cpu} | ${l.oneWriter === null ? '' : `${n(l.oneWriter)} (${(l.oneWriter / l.base).toFixed(2)})`} | ${n(l.allCores)} (${(l.allCores / l.base).toFixed(2)}) | ${l.needs} |`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, batches: { type: 'string', default: '49' } } });
  const rows = Number(values.rows);
  const batches = Number(values.batches);
  const started = Date.now();
  const lines = [await sqliteFile(rows, await driverBaselineMedian(rows)), await sqliteJson(batches, await driverBaselineMedian(batches * 1024))];
  const notes: string[] = [];
  if (process.env.BENCH_POSTGRES !== 'false') {
    const server = await startThrowawayPostgres({ durable: true });
    try {
      const one = await postgresFile(server, rows, 1);
      const two = await postgresFile(server, rows, 2);
      const four = await postgresFile(server, rows, 4);
      lines.push(one, two, four);
      notes.push(
        `5c. 4 ÷ 1 workers: ${(four.rate / one.rate).toFixed(2)}× (target ≥ 1.5×). One worker kept ${one.cores.toFixed(2)} of the ${CORES} cores busy: were four to spend no more CPU an item than one, they could be at most ${(CORES / one.cores).toFixed(2)}× as fast; they spent ${f1((one.allCores / four.allCores - 1) * 100)} % more an item.`,
      );
    } finally {
      await server.stop();
    }
  }
  const text = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}; ${((Date.now() - started) / 60_000).toFixed(1)} min. Rates in items/s, with their ratio to the baseline in brackets; CPU in µs an item.`,
    '',
    '| scenario | service | driver baseline | target | CPU an item, by thread or process | bound: one writer | bound: all cores | the target asks |',
    '|---|---:|---:|---|---|---:|---:|---|',
    ...lines.map(row),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  writeSection('budget', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
