// `npm run bench:budget`: what bounds the processing rows of `npm run bench` on this machine. For
// each scenario it measures the service's rate with its driver baseline in the same run, and the
// CPU every item costs, thread by thread (from /proc/<pid>/task), over the scenario's window:
//   file (row 5):  a 200 000-row CSV file on SQLite, from the 202 to the final status;
//   JSON (row 4):  49 JSON batches of 1 024 on SQLite, from the first submit to the last final
//                  status (row 4's own figure, first start to last completion, is shown too), the
//                  benchmark's own process (which builds and sends the batches) counted as well;
//   PostgreSQL (rows 5a, 5c): the file with 1, 2 and 4 worker processes (BENCH_PG_WORKERS), from
//                  the 202 to the final status: the workers, the API and the whole server
//                  (BENCH_POSTGRES=false skips it).
// From those it derives two upper bounds on the rate, which no tuning of the service's waits can pass:
//   one writer:  on SQLite a chunk holds the one write lock while its worker thread works, so the
//                rate cannot pass 1 ÷ (the worker thread's CPU per item); the lock is also held
//                through each commit's sync and, for JSON, by the intake's writes, so the true
//                bound is lower;
//   all cores:   the machine's cores (os.cpus) ÷ (the CPU per item of every process counted),
//                as if the work were spread over every core without a moment lost.
// and what each target asks: the CPU per item the worker thread (SQLite) or everything counted
// may spend at most for the target's ratio to be within reach.
// Usage: npm run bench:budget [-- --rows 200000 --batches 49]
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ThrowawayPostgres, startThrowawayPostgres } from '@container-service/test-postgres';
import { cpuSeconds, deploy, pgBaseline, statCpuSeconds } from './postgres.bench';
import { Service, commitMeasured, driverBaselineMedian, jsonBatch, machine, n, startService, untilFinal, upload, writeSection } from './support';

const CORES = os.cpus().length;
const WORKERS = (process.env.BENCH_PG_WORKERS ?? '1,2,4').split(',').map(Number);

/** CPU seconds of each live thread of `pid` so far, by thread id. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, statCpuSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch (error) {
      // A thread that ended between the listing and the read; its time is in the process's total.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return out;
}

/** A service process's CPU so far: in all, and by thread. */
const mark = (pid: number) => ({ total: cpuSeconds(pid), threads: threadSeconds(pid) });

/**
 * CPU seconds since `before` of the service process `pid`: its request thread (the process's first
 * thread), its worker thread (its busiest other thread: the service is started with one), and the
 * rest of the process (V8's garbage-collection and compiler helpers, libuv's pool, threads that
 * ended meanwhile): the process's total less the two.
 */
function split(pid: number, before: ReturnType<typeof mark>): { request: number; worker: number; other: number; runnerUp: number } {
  const total = cpuSeconds(pid) - before.total;
  const used = [...threadSeconds(pid)].map(([tid, s]) => ({ tid, s: s - (before.threads.get(tid) ?? 0) }));
  const request = used.find((t) => t.tid === String(pid))?.s ?? 0;
  const [worker, runnerUp] = used.filter((t) => t.tid !== String(pid)).sort((a, b) => b.s - a.s);
  return { request, worker: worker?.s ?? 0, other: Math.max(0, total - request - (worker?.s ?? 0)), runnerUp: runnerUp?.s ?? 0 };
}

/** A worker thread that is not clearly the busiest thread after the request thread makes the split meaningless. */
function checkWorkerThread(cpu: ReturnType<typeof split>, what: string): void {
  if (cpu.worker < 2 * cpu.runnerUp)
    throw new Error(`${what}: no thread stands out as the worker thread (${cpu.worker.toFixed(2)} s against ${cpu.runnerUp.toFixed(2)} s)`);
}

/** Its final status's counts, checked: a run whose items failed is not priced as if they were created. */
async function allCreated(service: Service, batchId: string, items: number, what: string, pollMs = 50): Promise<void> {
  const meta = await untilFinal(service, batchId, pollMs);
  if (meta.success !== items) throw new Error(`${what}: ${JSON.stringify(meta)}`);
}

const us = (seconds: number, items: number) => (seconds * 1e6) / items;
const f1 = (v: number) => v.toFixed(1);

interface Line {
  readonly what: string;
  readonly rate: number;
  /** Row 4's own figure when it is measured over another window than `rate`. */
  readonly rowFigure?: string;
  readonly base: number;
  readonly target: number;
  readonly cpu: string;
  readonly oneWriter: number | null;
  readonly allCores: number;
  readonly needs: string;
}

async function sqliteFile(rows: number, base: number): Promise<Line> {
  const service = await startService({ WORKER_THREAD: 'true' });
  const pid = service.child.pid!;
  const { batchId } = await upload(service, rows);
  const before = mark(pid);
  const t0 = performance.now();
  await allCreated(service, batchId, rows, 'file');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = split(pid, before);
  await service.stop();
  checkWorkerThread(cpu, 'file');
  const total = us(cpu.request + cpu.worker + cpu.other, rows);
  return {
    what: `5. CSV file of ${n(rows)} rows, SQLite`,
    rate: rows / seconds,
    base,
    target: 0.55,
    cpu: `request thread ${f1(us(cpu.request, rows))}, worker thread ${f1(us(cpu.worker, rows))} (on CPU ${((100 * cpu.worker) / seconds).toFixed(0)} % of the window), the rest of the process ${f1(us(cpu.other, rows))}; ${f1(total)} in all`,
    oneWriter: rows / cpu.worker,
    allCores: (CORES * 1e6) / total,
    needs: `worker thread ≤ ${f1(1e6 / (0.55 * base))} µs an item`,
  };
}

async function sqliteJson(batches: number, base: number): Promise<Line> {
  const items = batches * 1024;
  const service = await startService({ WORKER_THREAD: 'true' });
  const pid = service.child.pid!;
  const before = mark(pid);
  const client = process.cpuUsage();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let b = 0; b < batches; b++) ids.push(await jsonBatch(service, b * 1024, 1024));
  for (const id of ids) await allCreated(service, id, 1024, 'JSON', 20);
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(client);
  const cpu = split(pid, before);
  // Row 4's figure: the service's own creation window, the first batch's start to the last one's completion.
  const metas = await Promise.all(
    ids.map(async (id) => {
      const response = await fetch(`${service.url}/core/api/v2/containers/bag/batch/status?batchId=${id}`, { headers: service.headers() });
      return ((await response.json()) as { data: { meta: { startedAt: number; completedAt: number } } }).data.meta;
    }),
  );
  await service.stop();
  checkWorkerThread(cpu, 'JSON');
  const windowRate = items / ((Math.max(...metas.map((m) => m.completedAt)) - Math.min(...metas.map((m) => m.startedAt))) / 1000);
  const clientSeconds = (own.user + own.system) / 1e6;
  const total = us(cpu.request + cpu.worker + cpu.other + clientSeconds, items);
  return {
    what: `4. ${batches} JSON batches of 1 024, SQLite (first submit to last final)`,
    rate: items / seconds,
    rowFigure: `row 4's window (first start to last completion): ${n(windowRate)} (${(windowRate / base).toFixed(2)})`,
    base,
    target: 0.45,
    cpu: `request thread ${f1(us(cpu.request, items))}, worker thread ${f1(us(cpu.worker, items))}, the rest of the process ${f1(us(cpu.other, items))}, the benchmark's client ${f1(us(clientSeconds, items))}; ${f1(total)} in all`,
    oneWriter: items / cpu.worker,
    allCores: (CORES * 1e6) / total,
    needs: `worker thread ≤ ${f1(1e6 / (0.45 * base))} µs an item, and all counted ≤ ${f1((CORES * 1e6) / (0.45 * base))}`,
  };
}

/** The file on PostgreSQL with `workers` worker processes; also the cores the run kept busy. */
async function postgresFile(server: ThrowawayPostgres, rows: number, workers: number): Promise<Line & { cores: number }> {
  const deployment = await deploy(server, workers);
  let run;
  try {
    const { batchId } = await upload(deployment.api, rows);
    deployment.mark();
    const api0 = cpuSeconds(deployment.api.child.pid!);
    const t0 = performance.now();
    await allCreated(deployment.api, batchId, rows, `PostgreSQL, ${workers} workers`);
    const seconds = (performance.now() - t0) / 1000;
    const used = deployment.cpu();
    run = { seconds, used, api: cpuSeconds(deployment.api.child.pid!) - api0 };
  } finally {
    await deployment.stop();
  }
  // After the service's run, as `npm run bench:pg` takes it.
  const base = await pgBaseline(server, rows, workers);
  const workerSeconds = run.used.workers.reduce((sum, s) => sum + s, 0);
  const all = workerSeconds + run.used.server + run.api;
  return {
    what: `5a. CSV file of ${n(rows)} rows, PostgreSQL, ${workers} worker${workers === 1 ? '' : 's'}`,
    rate: rows / run.seconds,
    base,
    target: 0.4,
    cpu: `workers ${f1(us(workerSeconds, rows))}, PostgreSQL ${f1(us(run.used.server, rows))}, API ${f1(us(run.api, rows))}; ${f1(us(all, rows))} in all (${(all / run.seconds).toFixed(2)} cores busy)`,
    oneWriter: null,
    allCores: (CORES * rows) / all,
    needs: `all counted ≤ ${f1((CORES * 1e6) / (0.4 * base))} µs an item`,
    cores: all / run.seconds,
  };
}

const row = (l: Line) =>
  `| ${l.what} | ${n(l.rate)} (${(l.rate / l.base).toFixed(2)})${l.rowFigure ? `; ${l.rowFigure}` : ''} | ${n(l.base)} | ≥ ${l.target.toFixed(2)} | ${l.cpu} | ${l.oneWriter === null ? '' : `${n(l.oneWriter)} (${(l.oneWriter / l.base).toFixed(2)})`} | ${n(l.allCores)} (${(l.allCores / l.base).toFixed(2)}) | ${l.needs} |`;

/** Row 5c: four workers against one, and what the cores one worker leaves idle allow. */
function fiveC(one: Line & { cores: number }, four: Line & { cores: number }): string {
  const extra = (one.allCores / four.allCores - 1) * 100;
  const cost = extra >= 0 ? `they spent ${f1(extra)} % more an item` : `they spent ${f1(-extra)} % less an item`;
  return `5c. 4 ÷ 1 workers: ${(four.rate / one.rate).toFixed(2)}× (target ≥ 1.5×). One worker kept ${one.cores.toFixed(2)} of the ${CORES} cores busy: were four to spend no more CPU an item than one, they could be at most ${(CORES / one.cores).toFixed(2)}× as fast; ${cost}, which makes it ${(four.allCores / one.rate).toFixed(2)}×.`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, batches: { type: 'string', default: '49' } } });
  const rows = Number(values.rows);
  const batches = Number(values.batches);
  const started = Date.now();
  const lines: Line[] = [await sqliteFile(rows, await driverBaselineMedian(rows)), await sqliteJson(batches, await driverBaselineMedian(batches * 1024))];
  const notes: string[] = [];
  if (process.env.BENCH_POSTGRES !== 'false') {
    const server = await startThrowawayPostgres({ durable: true });
    try {
      const runs = new Map<number, Line & { cores: number }>();
      for (const workers of WORKERS) runs.set(workers, await postgresFile(server, rows, workers));
      lines.push(...runs.values());
      const one = runs.get(1);
      const four = runs.get(4);
      if (one && four) notes.push(fiveC(one, four));
    } finally {
      await server.stop();
    }
  }
  const text = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${commitMeasured()}, ${machine()}; ${((Date.now() - started) / 60_000).toFixed(1)} min. Rates in items/s, with their ratio to the baseline in brackets; CPU in µs an item.`,
    '',
    '| scenario | service | driver baseline | target | CPU an item, by thread or process | bound: one writer (at most) | bound: all cores | the target asks |',
    '|---|---|---:|---|---|---:|---:|---|',
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
