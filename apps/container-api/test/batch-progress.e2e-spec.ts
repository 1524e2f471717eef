// Live progress over HTTP (contract §3 `meta.progress` and `?wait=N`, §3.2 the event stream),
// against the real app. Outcomes are written through a second connection to the store, as a worker
// in another process would write them: what the routes show comes from the database alone.
import { Batch, BatchId, BatchReads, batchIdFromUuid } from '@container-service/batch-domain';
import { aBatch, outcomesFor, someItems } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND } from '@container-service/container-domain';
import { TypeOrmBatchSeeder } from '@container-service/persistence-typeorm/testing';
import http from 'node:http';
import { BATCH_READS } from '../src/tokens';
import { dataOf, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { BASE, TestApp, startTestApp } from './support/test-app';

let n = 0;
const freshId = (): BatchId => batchIdFromUuid(`0e2e0000-0000-4000-8000-${(0x17_0000 + ++n).toString(16).padStart(12, '0')}`);
const T_SEED = 1_700_000_000_000;

// Waits and streams take seconds by design.
jest.setTimeout(30_000);

interface StreamEvent {
  event: string;
  data: { status: string; success: number; failed: number; progress: { percent: number } };
}

/** One event-stream client: the events as they arrive, and whether the stream ended. */
interface EventsClient {
  readonly status: number;
  readonly headers: Headers;
  readonly events: StreamEvent[];
  readonly ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

describe('live progress over HTTP', () => {
  let t: TestApp;
  let seeder: TypeOrmBatchSeeder;

  beforeAll(async () => {
    t = await startTestApp();
    seeder = new TypeOrmBatchSeeder(t.database);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Stores a batch of type bag for acme and plays `plan` ('S' success, 'F' failed, '.' pending). */
  async function seed(plan: string): Promise<Batch> {
    const batch = aBatch({ id: freshId(), tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', total: plan.length }, T_SEED);
    await seeder.add(batch, someItems(plan.length));
    await record(batch, plan, T_SEED + 1_000);
    return batch;
  }

  /** Records the outcomes `plan` gives (from item `from` on) as a worker elsewhere would. */
  async function record(batch: Batch, plan: string, now = Date.now(), from = 0): Promise<void> {
    const outcomes = outcomesFor(plan, from);
    if (outcomes.length === 0) return;
    batch.start(now);
    batch.recordOutcomes(
      outcomes.map((o) => o.kind),
      now,
    );
    await seeder.recordOutcomes(batch, outcomes);
  }

  const statusOf = async (batchId: string, query = '', route = 'batch/status', headers?: Record<string, string>) =>
    t.request(`${BASE}/bag/${route}?batchId=${encodeURIComponent(batchId)}${query}`, { headers: headers ?? (await t.headers()) });

  const metaOf = (response: Awaited<ReturnType<typeof statusOf>>) => dataOf<{ meta: Record<string, unknown> }>(response).meta;

  /**
   * Opens the event stream of a batch and reads it in the background, on a connection of its own
   * (node:http without an agent: closing it closes the connection, as a client going away does).
   */
  async function openEvents(batchId: string, headers?: Record<string, string>, app: TestApp = t): Promise<EventsClient> {
    const target = new URL(`${app.url}${BASE}/bag/batch/events?batchId=${encodeURIComponent(batchId)}`);
    const sent = headers ?? (await app.headers());
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(target, { headers: sent, agent: false }, resolve).on('error', reject);
    });
    const events: StreamEvent[] = [];
    let ended = false;
    let buffered = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffered += chunk;
      let cut;
      while ((cut = buffered.indexOf('\n\n')) !== -1) {
        const block = buffered.slice(0, cut);
        buffered = buffered.slice(cut + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name !== undefined && data !== undefined) events.push({ event: name, data: JSON.parse(data) as StreamEvent['data'] });
      }
    });
    const done = new Promise<void>((resolve) => response.once('close', resolve)).finally(() => {
      ended = true;
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
    return {
      status: response.statusCode ?? 0,
      headers: responseHeaders,
      events,
      ended: done,
      isEnded: () => ended,
      close: () => response.destroy(),
    };
  }

  const untilEvents = (client: EventsClient, count: number, what: string) =>
    eventually(() => client.events.length, { timeoutMs: 5_000, intervalMs: 20, what, until: (length) => length >= count });

  const readsSpy = () => jest.spyOn(t.app.get<BatchReads>(BATCH_READS), 'findStatus');

  describe('meta.progress', () => {
    it('shows 0 %, 0 items/s and no estimate for a queued batch', async () => {
      const batch = await seed('...');
      expect(metaOf(await statusOf(batch.id)).progress).toEqual({ percent: 0, itemsPerSecond: 0, etaMs: null });
    });

    it('shows the share done, one decimal, on both status routes', async () => {
      const batch = await seed('SF.');
      for (const route of ['batch/status', 'batch/upload/status']) {
        expect(metaOf(await statusOf(batch.id, '', route)).progress).toMatchObject({ percent: 66.6 });
      }
    });

    it('measures the pace from the times the store recorded, and gives an ETA from it', async () => {
      const batch = await seed('..........');
      const started = Date.now() - 4_000;
      batch.start(started);
      await record(batch, 'SSSS', started + 2_000);
      // 4 items in the 4 s since the start: 1 item/s, 6 left.
      const progress = metaOf(await statusOf(batch.id)).progress as { percent: number; itemsPerSecond: number; etaMs: number };
      expect(progress.percent).toBe(40);
      expect(progress.itemsPerSecond).toBeGreaterThan(0.8);
      expect(progress.itemsPerSecond).toBeLessThanOrEqual(1);
      expect(progress.etaMs).toBeGreaterThan(5_000);
      expect(progress.etaMs).toBeLessThan(8_000);
    });

    it('gives 100 % and an ETA of 0 once finished', async () => {
      const batch = await seed('SSF');
      // Three items done in the moment the seeder recorded them: read as one second.
      expect(metaOf(await statusOf(batch.id)).progress).toEqual({ percent: 100, itemsPerSecond: 3, etaMs: 0 });
    });

    it('is computed by a batch really processed, too', async () => {
      const worker = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '5' });
      try {
        await defineType(worker, { name: 'bag', isLeaf: false });
        const payload = Array.from({ length: 40 }, (_, i) => ({ refID: `p-${i}` }));
        const submitted = await worker.request(`${BASE}/bag/batch`, { method: 'POST', headers: await worker.headers(), body: { payload } });
        const id = dataOf<{ id: string }>(submitted, 202).id;
        const done = await worker.request(`${BASE}/bag/batch/status?batchId=${id}&wait=20`, { headers: await worker.headers() });
        const meta = dataOf<{ meta: { status: string; progress: { percent: number; itemsPerSecond: number; etaMs: number } } }>(done).meta;
        expect(meta.status).toBe('SUCCESS');
        expect(meta.progress.percent).toBe(100);
        expect(meta.progress.etaMs).toBe(0);
        expect(meta.progress.itemsPerSecond).toBeGreaterThan(0);
      } finally {
        await worker.close();
      }
    });
  });

  describe('?wait=N', () => {
    it('answers as soon as the batch finishes', async () => {
      const batch = await seed('...');
      const asked = Date.now();
      const answer = statusOf(batch.id, '&wait=20');
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await record(batch, 'SSS');
      const response = await answer;
      expect(metaOf(response)).toMatchObject({ status: 'SUCCESS', success: 3, pending: 0 });
      expect(response.headers.get('retry-after')).toBeNull();
      expect(Date.now() - asked).toBeLessThan(5_000);
    });

    it('answers a cancel made in this process at once', async () => {
      const batch = await seed('S..');
      const asked = Date.now();
      const answer = statusOf(batch.id, '&wait=20');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancelled = await t.request(`${BASE}/bag/batch/cancel?batchId=${batch.id}`, { method: 'POST', headers: await t.headers() });
      expect(cancelled.status).toBe(200);
      expect(metaOf(await answer)).toMatchObject({ status: 'CANCELLED', cancelled: 2 });
      expect(Date.now() - asked).toBeLessThan(1_500);
    });

    it('answers with the state then after N seconds, with Retry-After', async () => {
      const batch = await seed('S..');
      const asked = Date.now();
      const response = await statusOf(batch.id, '&wait=2', 'batch/upload/status');
      const waited = Date.now() - asked;
      expect(metaOf(response)).toMatchObject({ status: 'IN_PROGRESS', success: 1, pending: 2 });
      expect(response.headers.get('retry-after')).toBe('1');
      expect(waited).toBeGreaterThanOrEqual(1_950);
      expect(waited).toBeLessThan(3_500);
      expect(response.body.request.queryString).toBe(`batchId=${encodeURIComponent(batch.id)}&wait=2`);
    });

    it('answers a finished batch at once', async () => {
      const batch = await seed('SF');
      const asked = Date.now();
      expect(metaOf(await statusOf(batch.id, '&wait=30'))).toMatchObject({ status: 'PARTIAL_SUCCESS' });
      expect(Date.now() - asked).toBeLessThan(1_000);
    });

    it.each(['0', '31', 'abc', '1.5', '', '-1', '05', ' 5'])('refuses wait=%j with 400 VALIDATION_FAILED', async (wait) => {
      const batch = await seed('S.');
      const response = await statusOf(batch.id, `&wait=${encodeURIComponent(wait)}`);
      const error = expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(error.additionalInfo).toMatchObject({ violations: [{ path: 'wait' }] });
      expect(response.headers.get('x-coreos-request-id')).toMatch(/^req-/);
    });

    it('refuses a repeated wait, and checks the token before the query', async () => {
      const batch = await seed('S.');
      expectEnvelopeError(await statusOf(batch.id, '&wait=1&wait=2'), 400, 'VALIDATION_FAILED');
      const headers = { ...(await t.headers()), 'X-COREOS-ACCESS': 'nope' };
      expectEnvelopeError(await statusOf(batch.id, '&wait=0', 'batch/status', headers), 401, 'UNAUTHORIZED');
    });

    it('answers 404 for a batch that does not exist, or is another tenant’s', async () => {
      expectEnvelopeError(await statusOf(freshId(), '&wait=2'), 404, 'BATCH_NOT_FOUND');
      const batch = await seed('S.');
      expectEnvelopeError(await statusOf(batch.id, '&wait=2', 'batch/status', await t.headers('globex')), 404, 'BATCH_NOT_FOUND');
    });
  });

  describe('GET batch/events', () => {
    it('sends progress at once and as counters change, then done, then ends', async () => {
      const batch = await seed('....');
      const client = await openEvents(batch.id);
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(client.headers.get('x-coreos-request-id')).toMatch(/^req-/);
      await untilEvents(client, 1, 'the first event');
      expect(client.events[0]).toMatchObject({ event: 'progress', data: { status: 'QUEUED', success: 0, progress: { percent: 0 } } });

      await record(batch, 'SF');
      await untilEvents(client, 2, 'a progress event');
      expect(client.events[1]).toMatchObject({ event: 'progress', data: { status: 'IN_PROGRESS', success: 1, failed: 1, progress: { percent: 50 } } });

      await record(batch, 'SS', Date.now(), 2);
      await client.ended;
      expect(client.events.map((e) => e.event)).toEqual(['progress', 'progress', 'done']);
      expect(client.events[2]?.data).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 3, failed: 1, progress: { percent: 100 } });
    });

    it('sends progress and done for a finished batch, and ends', async () => {
      const batch = await seed('SS');
      const client = await openEvents(batch.id);
      await client.ended;
      expect(client.events.map((e) => [e.event, e.data.status])).toEqual([
        ['progress', 'SUCCESS'],
        ['done', 'SUCCESS'],
      ]);
    });

    it('answers errors in the JSON envelope before any stream', async () => {
      const bad = await t.request(`${BASE}/bag/batch/events?batchId=nope`, { headers: await t.headers() });
      expectEnvelopeError(bad, 400, 'INVALID_BATCH_ID');
      expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
      expectEnvelopeError(await t.request(`${BASE}/bag/batch/events?batchId=${freshId()}`, { headers: await t.headers() }), 404, 'BATCH_NOT_FOUND');
      const batch = await seed('S.');
      const noToken = await t.request(`${BASE}/bag/batch/events?batchId=${batch.id}`, { headers: { ...(await t.headers()), 'X-COREOS-ACCESS': undefined } });
      expectEnvelopeError(noToken, 401, 'UNAUTHORIZED');
      expectEnvelopeError(await t.request(`${BASE}/bag/batch/events?batchId=${batch.id}`, { headers: await t.headers('globex') }), 404, 'BATCH_NOT_FOUND');
      expectEnvelopeError(await t.request(`${BASE}/b4g/batch/events?batchId=${batch.id}`, { headers: await t.headers() }), 400, 'VALIDATION_FAILED');
    });

    it('serves 100 watchers of one batch with about one read a second, and stops reading when they leave', async () => {
      const batch = await seed('S...');
      const reads = readsSpy();
      try {
        const clients = await Promise.all(Array.from({ length: 100 }, () => openEvents(batch.id)));
        await Promise.all(clients.map((c) => untilEvents(c, 1, 'the first event')));
        const connected = reads.mock.calls.length;
        // Arriving together, the hundred share their first read (or the last one, under a second old).
        expect(connected).toBeLessThanOrEqual(3);

        const before = reads.mock.calls.length;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const during = reads.mock.calls.length - before;
        expect(during).toBeGreaterThanOrEqual(2);
        expect(during).toBeLessThanOrEqual(4);

        await record(batch, 'S', Date.now(), 1);
        await Promise.all(clients.map((c) => untilEvents(c, 2, 'the progress event')));
        for (const c of clients) expect(c.events[1]).toMatchObject({ event: 'progress', data: { success: 2 } });

        for (const c of clients) c.close();
        await Promise.all(clients.map((c) => c.ended));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const left = reads.mock.calls.length;
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(reads.mock.calls.length).toBe(left);
      } finally {
        reads.mockRestore();
      }
    });

    it('shares one read a tick between watchers and waiters of one batch', async () => {
      const batch = await seed('S...');
      const reads = readsSpy();
      try {
        const watchers = await Promise.all(Array.from({ length: 10 }, () => openEvents(batch.id)));
        const waiters = Array.from({ length: 10 }, () => statusOf(batch.id, '&wait=3'));
        const answers = await Promise.all(waiters);
        for (const answer of answers) expect(metaOf(answer)).toMatchObject({ status: 'IN_PROGRESS' });
        // About 3 s of following: a read a second, and the few the arrivals share.
        expect(reads.mock.calls.length).toBeLessThanOrEqual(7);
        for (const c of watchers) c.close();
      } finally {
        reads.mockRestore();
      }
    });

    it('ends open streams and waiting requests when the app stops', async () => {
      const other = await startTestApp();
      const otherSeeder = new TypeOrmBatchSeeder(other.database);
      const batch = aBatch({ id: freshId(), tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', total: 2 }, T_SEED);
      await otherSeeder.add(batch, someItems(2));
      const stream = await openEvents(batch.id, undefined, other);
      const waiting = other.request(`${BASE}/bag/batch/status?batchId=${batch.id}&wait=30`, { headers: await other.headers() });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = Date.now();
      await other.close();
      expect(Date.now() - stopping).toBeLessThan(5_000);
      await stream.ended;
      expect(stream.events.map((e) => e.event)).toEqual(['progress']);
      expect(metaOf(await waiting)).toMatchObject({ status: 'QUEUED' });
    });
  });
});
