// Guards contract §10 ("after a crash or kill of any process at any instant, the service resumes
// where it stopped, applies no item twice and loses none that was acknowledged") and §5 (every
// callback delivered): the built service is killed with SIGKILL at seeded random moments (during a
// submit, an upload, processing and callback delivery) 20 times on one SQLite database and
// restarted each time. At the end every acknowledged batch is final with exactly the outcomes its
// items call for, each refID listed once, no container stored twice, no half-received upload left,
// and every callback delivered at least once. KILL_SEED=<n> replays another sequence of moments.
import { Database } from '@container-service/persistence-typeorm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TERMINAL } from './support/final-status';
import { Receiver, startReceiver } from './support/receiver';
import { Running, kill, start } from './support/service-process';
import { serviceClient } from './support/service-client';
import { BASE, TEST_SECRET, csvForm } from './support/test-app';
import { tokenCache } from './support/tokens';

const SEED = Number(process.env.KILL_SEED ?? 20_261_129);
const KILLS = 20;
const TENANT = 'acme';
const PHASES = ['submit', 'upload', 'processing', 'callback'] as const;
type Phase = (typeof PHASES)[number];

/** mulberry32: a tiny seeded generator, so every run kills at the same moments. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Acknowledged {
  id: string;
  source: 'json' | 'file';
  refIds: string[];
  /** refIDs that must fail: every tenth item repeats the scannable id of the item before it. */
  mustFail: Set<string>;
  callback: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a service killed again and again', () => {
  const random = prng(SEED);
  const between = (min: number, max: number) => Math.floor(min + random() * (max - min + 1));
  let dir: string;
  let env: Record<string, string>;
  let receiver: Receiver;
  let service: Running | null = null;
  /**
   * Every service this run started, and whether the suite was torn down: a test that overran its
   * time goes on after afterAll, and a service it starts then is killed at once, never left behind.
   */
  const started = new Set<Running>();
  let tornDown = false;
  async function startService(): Promise<Running> {
    const running = await start(dir, env);
    started.add(running);
    if (tornDown) await kill(running, 'SIGKILL');
    return running;
  }
  const api = serviceClient(() => service!.url);
  const token = tokenCache();
  const acknowledged = new Map<string, Acknowledged>();
  let submission = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-kill-loop-'));
    receiver = await startReceiver();
    env = {
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DATA_DIR: dir,
      WORKER_LEASE_MS: '1000',
      WORKER_IDLE_MS: '20',
      WORKER_CHUNK_SIZE: '200',
      CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      CALLBACK_BACKOFF_BASE_MS: '50',
      CALLBACK_MAX_ATTEMPTS: '50',
      CALLBACK_TIMEOUT_MS: '2000',
      UPLOAD_IDLE_TIMEOUT_MS: '1000',
    };
  });

  afterAll(async () => {
    tornDown = true;
    for (const running of started) if (running.child.exitCode === null && running.child.signalCode === null) await kill(running, 'SIGKILL');
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed early
    await receiver?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** The items of one submission; `n` makes its refIDs and scannable ids unique in the run. */
  function items(n: number, count: number) {
    return Array.from({ length: count }, (_, i) => ({ refID: `r${n}-${i}`, scannableId: `S${n}-${i % 10 === 9 ? i - 1 : i}`, weight: i % 100 }));
  }
  function remember(id: string, source: 'json' | 'file', list: ReturnType<typeof items>, callback: boolean) {
    acknowledged.set(id, {
      id,
      source,
      refIds: list.map((item) => item.refID),
      mustFail: new Set(list.filter((_, i) => i % 10 === 9).map((item) => item.refID)),
      callback,
    });
  }

  async function submitJson(count: number, callback: boolean): Promise<string | null> {
    const n = ++submission;
    const list = items(n, count);
    const body = {
      payload: list.map(({ refID, scannableId, weight }) => ({ refID, scannableId, attributes: { weight } })),
      ...(callback ? { callback: { url: `${receiver.url}?n=${n}` } } : {}),
    };
    try {
      const answer = await api.call('POST', '/bag/batch', { tenant: TENANT, body, timeoutMs: 15_000 });
      if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      remember(answer.body.data.id, 'json', list, callback);
      return answer.body.data.id;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('submit answered')) throw error;
      return null; // killed before it answered: not acknowledged
    }
  }

  function csv(list: ReturnType<typeof items>): string {
    return `refID,scannableId,attributes.weight\r\n${list.map((item) => `${item.refID},${item.scannableId},${item.weight}`).join('\r\n')}\r\n`;
  }

  async function uploadWhole(count: number): Promise<void> {
    const n = ++submission;
    const list = items(n, count);
    const answer = await api.call('POST', '/bag/batch/upload', {
      tenant: TENANT,
      form: csvForm(csv(list), { callback: JSON.stringify({ url: `${receiver.url}?n=${n}` }) }),
      timeoutMs: 15_000,
    });
    if (answer.status !== 202) throw new Error(`upload answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    remember(answer.body.data.id, 'file', list, true);
  }

  /** An upload sent in slices with pauses, so that a kill can land while the file arrives. */
  async function uploadStreamed(count: number, pauseMs: number): Promise<boolean> {
    const n = ++submission;
    const list = items(n, count);
    const boundary = `kill-loop-${n}`;
    const text = `--${boundary}\r\nContent-Disposition: form-data; name="callback"\r\n\r\n${JSON.stringify({ url: `${receiver.url}?n=${n}` })}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="k.csv"\r\nContent-Type: text/csv\r\n\r\n${csv(list)}\r\n--${boundary}--\r\n`;
    const bytes = new TextEncoder().encode(text);
    const slice = Math.ceil(bytes.length / 8);
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let at = 0; at < bytes.length; at += slice) {
          controller.enqueue(bytes.subarray(at, at + slice));
          await sleep(pauseMs);
        }
        controller.close();
      },
    });
    try {
      const response = await fetch(`${service!.url}${BASE}/bag/batch/upload`, {
        method: 'POST',
        headers: {
          'X-COREOS-REQUEST-ID': `kill-${n}`,
          'X-COREOS-TID': TENANT,
          'X-COREOS-ACCESS': await token(TENANT, 'valid'),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: stream,
        duplex: 'half',
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { data: { id: string } };
      if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
      remember(body.data.id, 'file', list, true);
      return true;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('upload answered')) throw error;
      return false;
    }
  }

  async function progress(batchId: string): Promise<number> {
    try {
      const answer = await api.call('GET', `/bag/batch/status?batchId=${batchId}`, { tenant: TENANT, timeoutMs: 2_000 });
      return Number(answer.body.data.meta.success) + Number(answer.body.data.meta.failed);
    } catch {
      return 0;
    }
  }

  /** Runs one phase's work and kills the service at a seeded moment inside it. */
  async function cycle(phase: Phase): Promise<string> {
    // Background work in every cycle, so that processing and callbacks are always under way.
    await submitJson(between(20, 200), true);
    await uploadWhole(between(20, 200));
    let moment = '';
    switch (phase) {
      case 'submit': {
        const delay = between(0, 300);
        const pending = submitJson(1024, true);
        await sleep(delay);
        await kill(service!, 'SIGKILL');
        moment = `${delay} ms into a 1024-item submit (${(await pending) ? 'acknowledged' : 'not acknowledged'})`;
        break;
      }
      case 'upload': {
        const delay = between(10, 400);
        const pending = uploadStreamed(between(1000, 3000), 25);
        await sleep(delay);
        await kill(service!, 'SIGKILL');
        moment = `${delay} ms into a streamed upload (${(await pending) ? 'acknowledged' : 'not acknowledged'})`;
        break;
      }
      case 'processing': {
        const id = await submitJson(1024, true);
        const target = between(1, 900);
        const deadline = Date.now() + 3_000;
        while (id && Date.now() < deadline && (await progress(id)) < target) await sleep(10);
        moment = `after ${id ? await progress(id) : 0} of 1024 items were processed`;
        await kill(service!, 'SIGKILL');
        break;
      }
      case 'callback': {
        receiver.plan('hold', 'hold', 'hold');
        const before = receiver.received.length;
        await submitJson(between(1, 20), true);
        const deadline = Date.now() + 4_000;
        const held = () => receiver.received.slice(before).some((r) => r.answered === 'held');
        while (Date.now() < deadline && !held()) await sleep(10);
        const delay = between(0, 50);
        await sleep(delay);
        moment = held() ? `${delay} ms after a callback try was received and held` : 'no callback try came within 4 s';
        await kill(service!, 'SIGKILL');
        receiver.plan();
        receiver.release();
        break;
      }
    }
    return moment;
  }

  it('loses no acknowledged batch, applies no item twice and delivers every callback', async () => {
    const began = Date.now();
    service = await startService();
    const defined = await api.call('POST', '/container-types', {
      tenant: TENANT,
      body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] },
    });
    expect(defined.status).toBe(202);

    // Each phase five times, in a seeded order.
    const phases: Phase[] = Array.from({ length: KILLS }, (_, i) => PHASES[i % PHASES.length]!);
    for (let i = phases.length - 1; i > 0; i--) {
      const j = between(0, i);
      [phases[i], phases[j]] = [phases[j]!, phases[i]!];
    }
    const log: string[] = [];
    for (const [i, phase] of phases.entries()) {
      if (i > 0) service = await startService();
      log.push(`kill ${i + 1} (${phase}): ${await cycle(phase)}`);
    }
    process.stdout.write(
      `kill loop (KILL_SEED=${SEED}), ${acknowledged.size} batches acknowledged in ${Math.round((Date.now() - began) / 1000)} s:\n${log.join('\n')}\n`,
    );

    // A last start, then wait (bounded) until everything acknowledged is final and called back.
    const loopEnded = Date.now();
    service = await startService();
    const deadline = Date.now() + 60_000;
    const unfinished = new Set(acknowledged.keys());
    while (unfinished.size > 0 && Date.now() < deadline) {
      for (const id of [...unfinished]) {
        const batch = acknowledged.get(id)!;
        const answer = await api.call('GET', `/bag/batch/status?batchId=${id}`, { tenant: TENANT });
        const meta = answer.body?.data?.meta;
        const callbackDone = !batch.callback || (meta?.callback?.state !== 'PENDING' && meta?.callback?.state !== 'NONE');
        if (TERMINAL.includes(meta?.status) && callbackDone) unfinished.delete(id);
      }
      if (unfinished.size > 0) await sleep(200);
    }

    process.stdout.write(
      `kill loop: quiet ${Math.round((Date.now() - loopEnded) / 100) / 10} s after the last restart${unfinished.size ? `, ${unfinished.size} batches still unfinished` : ''}\n`,
    );
    const problems: string[] = [];
    for (const batch of acknowledged.values()) {
      const answer = await api.call('GET', `/bag/batch/status?batchId=${batch.id}`, { tenant: TENANT });
      if (answer.status !== 200) {
        problems.push(`${batch.id} (${batch.source}): status answered ${answer.status}: the acknowledged batch is lost`);
        continue;
      }
      const meta = answer.body.data.meta;
      const expected = {
        status: batch.mustFail.size > 0 ? 'PARTIAL_SUCCESS' : 'SUCCESS',
        total: batch.refIds.length,
        success: batch.refIds.length - batch.mustFail.size,
        failed: batch.mustFail.size,
        pending: 0,
        cancelled: 0,
      };
      const got = { status: meta.status, total: meta.total, success: meta.success, failed: meta.failed, pending: meta.pending, cancelled: meta.cancelled };
      if (JSON.stringify(got) !== JSON.stringify(expected))
        problems.push(`${batch.id} (${batch.source}): ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      if (batch.callback && meta.callback?.state !== 'DELIVERED') problems.push(`${batch.id} (${batch.source}): callback ${JSON.stringify(meta.callback)}`);
      if (batch.callback && !receiver.received.some((r) => r.answered === 200 && r.body.includes(batch.id)))
        problems.push(`${batch.id} (${batch.source}): the receiver never accepted its callback`);

      const results = await api.call('GET', `/bag/batch/results?batchId=${batch.id}&limit=5000`, { tenant: TENANT });
      const listed: Array<{ refID: string; outcome: string; code?: string }> = results.body?.data?.items ?? [];
      const seen = new Map<string, number>();
      for (const item of listed) seen.set(item.refID, (seen.get(item.refID) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([ref]) => ref);
      const missing = batch.refIds.filter((ref) => !seen.has(ref));
      const wrong = listed.filter((item) =>
        batch.mustFail.has(item.refID) ? item.outcome !== 'failed' || item.code !== 'SCANNABLE_ID_TAKEN' : item.outcome !== 'success',
      );
      if (twice.length || missing.length || wrong.length || listed.length !== batch.refIds.length) {
        problems.push(
          `${batch.id} (${batch.source}): results list ${listed.length} items; twice ${twice.slice(0, 5).join(',')}, missing ${missing.slice(0, 5).join(',')}, wrong outcome ${JSON.stringify(wrong.slice(0, 3))}`,
        );
      }
    }

    // Once the abandoned uploads are swept away (bounded), check the store as a whole.
    const store = await Database.open(env.DATABASE_URL!);
    try {
      const one = async (sql: string) => Number(Object.values((await store.read((m) => m.query<Array<Record<string, unknown>>>(sql)))[0]!)[0]);
      const sweep = Date.now() + 15_000;
      while ((await one('SELECT COUNT(*) FROM batches WHERE intake_open = 1')) > 0 && Date.now() < sweep) await sleep(200);
      const checks: Array<[string, string, number]> = [
        ['half-received uploads left', 'SELECT COUNT(*) FROM batches WHERE intake_open = 1', 0],
        ['batches never finished (acknowledged or not)', 'SELECT COUNT(*) FROM batches WHERE intake_open = 0 AND completed_at IS NULL', 0],
        [
          'items without an outcome',
          'SELECT COUNT(*) FROM batch_items i JOIN batches b ON b.pk = i.batch_pk WHERE b.intake_open = 0 AND NOT EXISTS (SELECT 1 FROM batch_outcomes o WHERE o.batch_pk = i.batch_pk AND o.seq = i.seq)',
          0,
        ],
        ['containers minus successful items', "SELECT (SELECT COUNT(*) FROM containers) - (SELECT COUNT(*) FROM batch_outcomes WHERE state = 'success')", 0],
        [
          'containers no successful item points to',
          "SELECT COUNT(*) FROM containers c WHERE NOT EXISTS (SELECT 1 FROM batch_outcomes o WHERE o.state = 'success' AND o.result_id = c.id)",
          0,
        ],
        [
          'containers two items point to',
          "SELECT COUNT(*) FROM (SELECT result_id FROM batch_outcomes WHERE state = 'success' GROUP BY result_id HAVING COUNT(*) > 1)",
          0,
        ],
        [
          'scannable ids stored twice',
          'SELECT COUNT(*) FROM (SELECT scannable_id FROM containers GROUP BY tenant_id, container_type, scannable_id HAVING COUNT(*) > 1)',
          0,
        ],
        [
          'batches whose counters disagree with their items',
          "SELECT COUNT(*) FROM batches b WHERE b.intake_open = 0 AND (b.success <> (SELECT COUNT(*) FROM batch_outcomes o WHERE o.batch_pk = b.pk AND o.state = 'success') OR b.failed <> (SELECT COUNT(*) FROM batch_outcomes o WHERE o.batch_pk = b.pk AND o.state = 'failed'))",
          0,
        ],
      ];
      for (const [what, sql, want] of checks) {
        const got = await one(sql);
        if (got !== want) problems.push(`${what}: ${got}`);
      }
    } finally {
      await store.close();
    }
    expect(problems).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(2 * KILLS);
  }, 240_000);
});
