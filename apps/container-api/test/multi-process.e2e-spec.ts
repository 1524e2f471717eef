// Guards contract §12 and §10 with the built processes on PostgreSQL: two API processes
// (WORKER_ENABLED=false) and three worker processes start at the same moment on an empty
// database, which is migrated once; JSON batches come in through both APIs and a 50 000-row file
// through one, with duplicate scannable ids inside batches and across them; workers are killed
// with SIGKILL mid-way and a new one started; then the database itself crashes
// (`pg_ctl stop -m immediate`) mid-batch and comes back. Every item must get exactly one outcome,
// conflicts inside a batch go to the earlier item, every created container is stored once,
// counters add up, and no process exits on its own.
import { allTables, Database } from '@container-service/persistence-typeorm';
import { freshDatabase, startThrowawayPostgres, type ThrowawayPostgres } from '@container-service/test-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuiltProcess, BuiltProcesses } from './support/built-processes';
import { ServiceClient, serviceClient } from './support/service-client';
import { TEST_SECRET, csvForm } from './support/test-app';

const TENANT = 'acme';
const TYPE = 'bag';
const TAKEN = 'SCANNABLE_ID_TAKEN';
const FILE_ROWS = 50_000;
const JSON_ITEMS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Item {
  refID: string;
  scannableId: string;
  weight: number;
}

/** A batch the service acknowledged, with what each of its items must come to. */
interface Submitted {
  id: string;
  label: string;
  items: Item[];
}

/**
 * The items of batch `label`. Every `dupEvery`-th item repeats the scannable id of the item before
 * it (a conflict inside the batch: the later one must fail), and every `sharedEvery`-th item takes
 * one of a few ids `shared` gives to every batch of a phase (conflicts between batches: one wins).
 */
function itemsOf(label: string, count: number, dupEvery: number, sharedEvery: number, shared: string): Item[] {
  return Array.from({ length: count }, (_, i) => {
    let scannableId = `S-${label}-${i}`;
    if (i % dupEvery === dupEvery - 1) scannableId = `S-${label}-${i - 1}`;
    else if (i % sharedEvery === 10) scannableId = `${shared}-${Math.floor(i / sharedEvery)}`;
    return { refID: `${label}-${i}`, scannableId, weight: i % 100 };
  });
}

const csvOf = (items: Item[]) => `refID,scannableId,attributes.weight\n${items.map((item) => `${item.refID},${item.scannableId},${item.weight}`).join('\n')}\n`;

interface ResultItem {
  refID: string;
  outcome: string;
  id?: string;
  code?: string;
}

describe('two API processes and three workers on one PostgreSQL database', () => {
  let server: ThrowawayPostgres;
  let databaseUrl: string;
  let dir: string;
  let fleet: BuiltProcesses;
  let apis: ServiceClient[] = [];
  const killed = new Set<BuiltProcess>();
  const timings: string[] = [];
  const began = Date.now();
  const mark = (what: string) => timings.push(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);

  beforeAll(async () => {
    server = await startThrowawayPostgres({ durable: true });
    databaseUrl = (await freshDatabase(server.url, 'multi_process')).url;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-multi-process-'));
    fleet = new BuiltProcesses({
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      // info: the lines that say a process is ready are info lines.
      LOG_LEVEL: 'info',
      WORKER_LEASE_MS: '2000',
      WORKER_IDLE_MS: '50',
    });
    mark('PostgreSQL up');
  }, 60_000);

  afterAll(async () => {
    // First: a forced exit after the last test may cut off what is written later.
    process.stdout.write(`multi-process timings:\n${timings.join('\n')}\n`);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed early
    await fleet?.killAll();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed early
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One query on a connection of its own, which neither migrates nor waits for the schema (no
   * table sets): the test looks at the database as it is.
   */
  async function query(sql: string): Promise<Array<Record<string, unknown>>> {
    const database = await Database.open(databaseUrl, { schemas: [], migrate: false, poolMax: 1 });
    try {
      return await database.read((m) => m.query<Array<Record<string, unknown>>>(sql));
    } finally {
      await database.close();
    }
  }

  async function submitJson(api: ServiceClient, label: string, shared: string): Promise<Submitted> {
    const items = itemsOf(label, JSON_ITEMS, 50, 100, shared);
    const body = { payload: items.map(({ refID, scannableId, weight }) => ({ refID, scannableId, attributes: { weight } })) };
    const answer = await api.call('POST', `/${TYPE}/batch`, { tenant: TENANT, body });
    expect(answer.status).toBe(202);
    return { id: answer.body.data.id, label, items };
  }

  async function upload(api: ServiceClient, label: string, rows: number, shared: string): Promise<Submitted> {
    const items = itemsOf(label, rows, 1000, 5000, shared);
    const answer = await api.call('POST', `/${TYPE}/batch/upload`, { tenant: TENANT, form: csvForm(csvOf(items)), timeoutMs: 60_000 });
    expect(answer.status).toBe(202);
    return { id: answer.body.data.id, label, items };
  }

  /** Status reads, while batches run, whose counters broke the §3 invariant. */
  const invariantBreaks: string[] = [];

  /**
   * Items done (success + failed) over `batches`, read through both APIs in turn; a read that fails
   * counts as nothing done. Every answer's counters must add up to its total.
   */
  async function done(batches: Submitted[]): Promise<number> {
    let sum = 0;
    for (const [i, batch] of batches.entries()) {
      try {
        const answer = await apis[i % apis.length]!.call('GET', `/${TYPE}/batch/status?batchId=${batch.id}`, { tenant: TENANT, timeoutMs: 5_000 });
        if (answer.status !== 200) continue;
        const { success, failed, pending, cancelled, total } = answer.body.data.meta;
        if (success + failed + pending + cancelled !== total) invariantBreaks.push(`${batch.label}: ${JSON.stringify(answer.body.data.meta)}`);
        sum += Number(success) + Number(failed);
      } catch {
        // not readable now: counts as nothing done
      }
    }
    return sum;
  }

  async function untilAllFinal(batches: Submitted[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const finals = await Promise.all(batches.map((batch, i) => apis[i % apis.length]!.untilFinal(TYPE, batch.id, TENANT, deadline)));
    return finals.flatMap((final, i) => (final.final ? [] : [`${batches[i]!.label} (${batches[i]!.id}) not final in time: ${JSON.stringify(final.meta)}`]));
  }

  /** Every result of a batch, paged through the results route, alternating between the APIs. */
  async function resultsOf(batch: Submitted): Promise<ResultItem[]> {
    const all: ResultItem[] = [];
    let cursor: string | null = null;
    for (let page = 0; ; page++) {
      const answer = await apis[page % apis.length]!.call('GET', `/${TYPE}/batch/results?batchId=${batch.id}&limit=5000${cursor ? `&cursor=${cursor}` : ''}`, {
        tenant: TENANT,
      });
      expect(answer.status).toBe(200);
      all.push(...(answer.body.data.items as ResultItem[]));
      cursor = answer.body.data.nextCursor;
      if (!cursor) return all;
    }
  }

  /**
   * Checks each batch's status and results against its items: exactly one outcome per item,
   * counters that add up and match the lists, duplicates inside a batch decided in input order,
   * and one winner per scannable id among the phase's batches. Gives back the problems found and
   * the ids of the containers the successful items name.
   */
  async function check(batches: Submitted[]): Promise<{ problems: string[]; created: string[] }> {
    const problems: string[] = [];
    const created: string[] = [];
    const winners = new Map<string, string[]>();
    for (const batch of batches) {
      const status = await apis[0]!.call('GET', `/${TYPE}/batch/status?batchId=${batch.id}`, { tenant: TENANT });
      const meta = status.body.data.meta;
      const results = await resultsOf(batch);
      const byRef = new Map<string, ResultItem>();
      const twice = new Set<string>();
      for (const result of results) {
        if (byRef.has(result.refID)) twice.add(result.refID);
        byRef.set(result.refID, result);
      }
      const missing = batch.items.filter((item) => !byRef.has(item.refID)).map((item) => item.refID);
      const success = results.filter((r) => r.outcome === 'success');
      const failed = results.filter((r) => r.outcome === 'failed');
      const counters = { status: meta.status, total: meta.total, success: meta.success, failed: meta.failed, pending: meta.pending, cancelled: meta.cancelled };
      // Every batch holds a duplicate the service must refuse, and succeeds otherwise.
      const expected = { status: 'PARTIAL_SUCCESS', total: batch.items.length, success: success.length, failed: failed.length, pending: 0, cancelled: 0 };
      if (JSON.stringify(counters) !== JSON.stringify(expected))
        problems.push(`${batch.label}: counters ${JSON.stringify(counters)}, lists ${JSON.stringify(expected)}`);
      if (success.length + failed.length !== batch.items.length || twice.size || missing.length)
        problems.push(
          `${batch.label}: ${results.length} results for ${batch.items.length} items; twice ${[...twice].slice(0, 5).join(',')}; missing ${missing.slice(0, 5).join(',')}`,
        );

      // Within the batch: the first item with a scannable id wins unless another batch took the
      // id; every later one with the same id fails as taken.
      const firstOf = new Map<string, Item>();
      const wrong: string[] = [];
      for (const item of batch.items) {
        const result = byRef.get(item.refID);
        if (!result) continue;
        const first = firstOf.get(item.scannableId);
        if (first) {
          if (result.outcome !== 'failed' || result.code !== TAKEN) wrong.push(`${item.refID} (repeats ${first.refID}): ${JSON.stringify(result)}`);
          if (byRef.get(first.refID)?.outcome !== 'success' && !item.scannableId.startsWith('SHARED'))
            wrong.push(`${first.refID} (first of ${item.scannableId}): ${JSON.stringify(byRef.get(first.refID))}`);
          continue;
        }
        firstOf.set(item.scannableId, item);
        if (result.outcome === 'success') {
          created.push(result.id!);
          winners.set(item.scannableId, [...(winners.get(item.scannableId) ?? []), item.refID]);
        } else if (!item.scannableId.startsWith('SHARED') || result.code !== TAKEN) wrong.push(`${item.refID}: ${JSON.stringify(result)}`);
      }
      if (wrong.length) problems.push(`${batch.label}: ${wrong.length} wrong outcomes, e.g. ${wrong.slice(0, 3).join('; ')}`);
    }
    const shared = new Set(batches.flatMap((batch) => batch.items.map((item) => item.scannableId).filter((id) => id.startsWith('SHARED'))));
    for (const id of shared) {
      const won = winners.get(id) ?? [];
      if (won.length !== 1) problems.push(`${id}: ${won.length} items succeeded (${won.join(', ')}), exactly one must`);
    }
    return { problems, created };
  }

  /** The containers in PostgreSQL against the ids the successful items name: each there exactly once. */
  async function checkStore(created: string[]): Promise<string[]> {
    const problems: string[] = [];
    const rows = await query(`SELECT id, scannable_id FROM containers WHERE tenant_id = '${TENANT}' AND container_type = '${TYPE}'`);
    const ids = new Set(rows.map((row) => String(row.id)));
    const scannable = new Map<string, number>();
    for (const row of rows) scannable.set(String(row.scannable_id), (scannable.get(String(row.scannable_id)) ?? 0) + 1);
    const twice = [...scannable].filter(([, n]) => n > 1);
    if (twice.length) problems.push(`scannable ids stored twice: ${twice.slice(0, 5).join(' ')}`);
    if (rows.length !== created.length) problems.push(`${rows.length} containers stored for ${created.length} successful create items`);
    if (new Set(created).size !== created.length) problems.push('two successful items name the same container');
    const absent = created.filter((id) => !ids.has(id));
    if (absent.length) problems.push(`${absent.length} successful items name a container that is not stored, e.g. ${absent.slice(0, 3).join(', ')}`);
    return problems;
  }

  const running = () => fleet.processes.filter((p) => p.exit() === null);
  const phaseA: Submitted[] = [];

  it('starts two APIs and three workers at the same moment on an empty database, which is migrated once', async () => {
    expect(await query("SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([{ n: 0 }]);
    const started = await Promise.all([
      fleet.start('api', 30_000),
      fleet.start('api', 30_000),
      fleet.start('worker', 30_000),
      fleet.start('worker', 30_000),
      fleet.start('worker', 30_000),
    ]);
    mark('2 APIs and 3 workers ready');
    apis = started.filter((p) => p.kind === 'api').map((p) => serviceClient(() => p.url));

    const wanted = allTables.flatMap((set) => set.migrations.map((Migration) => new Migration().name ?? Migration.name)).sort();
    const recorded = await query('SELECT name FROM migrations');
    expect(recorded.map((row) => String(row.name)).sort()).toEqual(wanted);
    for (const api of started.filter((p) => p.kind === 'api')) {
      const ready = await fetch(`${api.url}/health/ready`);
      expect(ready.status).toBe(200);
    }
    expect(running()).toHaveLength(5);
  }, 60_000);

  it('processes JSON batches through both APIs and a 50 000-row file while workers are killed and one is started', async () => {
    const type = await apis[0]!.call('POST', '/container-types', {
      tenant: TENANT,
      body: { name: TYPE, attributes: [{ name: 'weight', dataType: 'number', required: true }] },
    });
    expect(type.status).toBe(202);
    // The file first: it takes longest, and the JSON batches then run beside it.
    const file = upload(apis[1]!, 'f', FILE_ROWS, 'SHARED-A');
    const json = Promise.all(Array.from({ length: 8 }, (_, n) => submitJson(apis[n % 2]!, `j${n}`, 'SHARED-A')));
    phaseA.push(await file, ...(await json));
    mark(`phase A: 1 file of ${FILE_ROWS} rows and 8 JSON batches of ${JSON_ITEMS} acknowledged`);

    const total = phaseA.reduce((sum, batch) => sum + batch.items.length, 0);
    const workers = () => running().filter((p) => p.kind === 'worker');
    for (const share of [0.15, 0.35]) {
      const deadline = Date.now() + 30_000;
      while ((await done(phaseA)) < total * share && Date.now() < deadline) await sleep(100);
      const victim = workers()[0]!;
      killed.add(victim);
      await fleet.kill(victim, 'SIGKILL');
      mark(`SIGKILL ${victim.name} with ${await done(phaseA)} of ${total} items done`);
    }
    await fleet.start('worker', 30_000);
    mark(`new worker ready with ${await done(phaseA)} of ${total} items done`);

    const late = await untilAllFinal(phaseA, 90_000);
    mark('phase A: every batch final');
    expect(late).toEqual([]);
    const { problems, created } = await check(phaseA);
    problems.push(...(await checkStore(created)), ...fleet.unexpectedExits(killed), ...invariantBreaks);
    mark(`phase A checked: ${created.length} containers`);
    expect(problems).toEqual([]);
  }, 150_000);

  it('carries on when the database crashes mid-batch and comes back: nothing lost, nothing applied twice, no process exits', async () => {
    // A smaller file this time, so that file rows too are in flight when the database goes.
    const phaseB = await Promise.all([
      upload(apis[1]!, 'g', 5_000, 'SHARED-B'),
      ...Array.from({ length: 6 }, (_, n) => submitJson(apis[n % 2]!, `k${n}`, 'SHARED-B')),
    ]);
    const total = phaseB.reduce((sum, batch) => sum + batch.items.length, 0);
    mark(`phase B: 1 file of 5000 rows and 6 JSON batches of ${JSON_ITEMS} acknowledged`);
    const deadline = Date.now() + 30_000;
    while ((await done(phaseB)) < total * 0.2 && Date.now() < deadline) await sleep(50);
    const before = await done(phaseB);
    // The crash must land mid-batch, or this test proves nothing about recovering from one.
    expect(before).toBeLessThan(total);
    await server.crash();
    mark(`database crashed with ${before} of ${total} items done`);

    // While it is down, every API answers 503 SERVICE_UNAVAILABLE with Retry-After, within 10 s.
    const outage: string[] = [];
    await Promise.all(
      apis.map(async (api, i) => {
        const asked = Date.now();
        try {
          const answer = await api.call('GET', `/${TYPE}/batch/status?batchId=${phaseB[0].id}`, { tenant: TENANT, timeoutMs: 10_000 });
          mark(
            `api-${i + 1} answered ${answer.status} (Retry-After ${answer.headers.get('retry-after')}) in ${Date.now() - asked} ms while the database was down`,
          );
          if (answer.status !== 503 || answer.body?.error?.code !== 'SERVICE_UNAVAILABLE' || !answer.headers.get('retry-after'))
            outage.push(
              `api-${i + 1} answered ${answer.status} ${JSON.stringify(answer.body)} (Retry-After ${answer.headers.get('retry-after')}) after ${Date.now() - asked} ms`,
            );
        } catch (error) {
          outage.push(`api-${i + 1} gave no answer within 10 s: ${(error as Error).message}`);
        }
        const ready = await fetch(`${fleet.processes.filter((p) => p.kind === 'api')[i]!.url}/health/ready`, { signal: AbortSignal.timeout(10_000) }).catch(
          (error: unknown) => error as Error,
        );
        if (ready instanceof Error || ready.status !== 503) outage.push(`api-${i + 1} /health/ready: ${ready instanceof Error ? ready.message : ready.status}`);
      }),
    );
    await sleep(3_000);
    await server.restart();
    mark('database restarted');

    const late = await untilAllFinal(phaseB, 60_000);
    mark(`phase B: every batch final; ${running().length} processes running`);
    const ready: string[] = [];
    for (const api of running().filter((p) => p.kind === 'api')) {
      const answer = await fetch(`${api.url}/health/ready`).catch((error: unknown) => error as Error);
      if (answer instanceof Error || answer.status !== 200)
        ready.push(`${api.name} /health/ready: ${answer instanceof Error ? answer.message : answer.status}`);
    }
    const exits = fleet.unexpectedExits(killed);
    // Phase A's batches again: what was final before the crash must still read the same after it.
    const { problems, created } = await check([...phaseA, ...phaseB]);
    problems.push(...(await checkStore(created)), ...invariantBreaks);
    mark(`phase B checked: ${created.length} containers in all`);
    expect({ outage, exits, ready, late, problems }).toEqual({ outage: [], exits: [], ready: [], late: [], problems: [] });
  }, 120_000);
});
