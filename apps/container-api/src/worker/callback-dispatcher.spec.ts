import { CallbackSender, DeliverCallback, DueCallback } from '@container-service/batch-domain';
import { A_KIND, InMemoryBatchRepository, T0, aBatch, aBatchId, aCallbackTarget, outcomesFor, someItems } from '@container-service/batch-domain/testing';
import pino from 'pino';
import { eventually } from '../../test/support/eventually';
import { CallbackDispatcher } from './callback-dispatcher';
import { NO_WORK_EVENTS, WorkEvents } from '../metrics/work-events';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Receivers by tenant: 'hang' holds every try until it is aborted; anything else accepts at once. */
class FakeSender implements CallbackSender {
  readonly open = new Map<string, number>();
  mostOpenForOne = 0;
  readonly sent: string[] = [];
  constructor(private readonly hangFor: ReadonlySet<string>) {}
  async send(due: DueCallback, _payload: unknown, signal?: AbortSignal) {
    const key = due.locator.batchId;
    this.sent.push(`${due.locator.tenantId}:${key}`);
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
    this.mostOpenForOne = Math.max(this.mostOpenForOne, this.open.get(key)!);
    try {
      if (!this.hangFor.has(due.locator.tenantId)) return { delivered: true, error: null };
      await new Promise((resolve) => signal!.addEventListener('abort', resolve, { once: true }));
      return { delivered: false, error: 'stopped during the try' };
    } finally {
      this.open.set(key, this.open.get(key)! - 1);
    }
  }
  get inFlight(): number {
    return [...this.open.values()].reduce((a, b) => a + b, 0);
  }
}

async function setUp(hangFor: string[], options: { concurrency?: number; leaseMs?: number; events?: WorkEvents } = {}) {
  const store = new InMemoryBatchRepository();
  const sender = new FakeSender(new Set(hangFor));
  const clock = { now: () => Date.now() };
  const deliver = new DeliverCallback(store, { payloadFor: async () => ({}) }, sender, clock, { maxAttempts: 5, baseDelayMs: 10 });
  const dispatcher = new CallbackDispatcher(store, deliver, clock, pino({ level: 'silent' }), {
    owner: 'w1',
    kinds: [A_KIND],
    concurrency: options.concurrency ?? 4,
    pollMs: 5,
    leaseMs: options.leaseMs ?? 60_000,
    ...(options.events ? { events: options.events } : {}),
  });
  let n = 0;
  const finished = async (tenantId: string) => {
    const batch = aBatch({ id: aBatchId(++n), tenantId, total: 1, hasCallback: true }, T0);
    await store.add(batch, someItems(1), { callback: aCallbackTarget() });
    batch.recordOutcomes(['success'], T0 + 1);
    await store.recordOutcomes(batch, outcomesFor('S'));
    return batch.id;
  };
  const callbackOf = async (tenantId: string, batchId: string) =>
    (await store.findStatus({ tenantId, kind: A_KIND, targetType: 'parcel', batchId: batchId as ReturnType<typeof aBatchId> }, 1))!.batch.toSnapshot();
  return { store, sender, dispatcher, finished, callbackOf };
}

describe('CallbackDispatcher', () => {
  it("keeps slots for another tenant while one tenant's receivers hang", async () => {
    const { sender, dispatcher, finished, callbackOf } = await setUp(['noisy'], { concurrency: 4 });
    for (let i = 0; i < 10; i++) await finished('noisy');
    dispatcher.start();
    await sleep(50);
    // Alone, the noisy tenant takes all but one of the 4 slots.
    expect(sender.inFlight).toBe(3);
    const quiet = await finished('quiet');
    dispatcher.nudge();
    await eventually(async () => (await callbackOf('quiet', quiet)).callbackState !== 'PENDING', {
      timeoutMs: 2_000,
      intervalMs: 5,
      what: "the quiet tenant's callback to be tried",
    });
    expect(await callbackOf('quiet', quiet)).toMatchObject({ callbackState: 'DELIVERED', callbackAttempts: 1 });
    await dispatcher.stop();
  });

  it('never sends a callback again while its try is in flight, even once its lease has lapsed', async () => {
    const { sender, dispatcher, finished } = await setUp(['noisy'], { leaseMs: 1 });
    await finished('noisy');
    dispatcher.start();
    await sleep(100);
    expect(sender.sent).toHaveLength(1);
    expect(sender.mostOpenForOne).toBe(1);
    await dispatcher.stop();
  });

  it('stops at once with tries hanging, handing them back uncounted', async () => {
    const { store, sender, dispatcher, finished, callbackOf } = await setUp(['noisy']);
    const ids = [await finished('noisy'), await finished('noisy')];
    dispatcher.start();
    await eventually(() => sender.inFlight >= 2, { timeoutMs: 2_000, intervalMs: 5, what: 'two tries in flight' });
    expect(sender.inFlight).toBe(2);
    const started = Date.now();
    await dispatcher.stop();
    expect(Date.now() - started).toBeLessThan(200);
    expect(sender.inFlight).toBe(0);
    for (const id of ids) expect(await callbackOf('noisy', id)).toMatchObject({ callbackState: 'PENDING', callbackAttempts: 0 });
    // Handed back: due again at once, for anyone.
    expect(await store.claimDue('w2', [A_KIND], Date.now(), Date.now() + 1000, 10)).toHaveLength(2);
  });

  it('waits a second after a failed claim, not a poll, and goes on by itself once the store answers', async () => {
    const { store, sender, dispatcher, finished } = await setUp([]);
    await finished('acme');
    const claimDue = store.claimDue.bind(store);
    let claims = 0;
    let unreachable = true;
    store.claimDue = (...args: Parameters<typeof claimDue>) => {
      claims++;
      return unreachable ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : claimDue(...args);
    };
    dispatcher.start();
    await sleep(300);
    // With a 5 ms poll, a claim every poll would be some 60 by now.
    expect(claims).toBe(1);
    unreachable = false;
    await eventually(() => sender.sent.length, { timeoutMs: 3_000, intervalMs: 10, what: 'the callback to be sent once the store answers' });
    expect(sender.sent).toHaveLength(1);
    await dispatcher.stop();
  });

  it('reports each try judged, and none a stop cut short', async () => {
    const tries: boolean[] = [];
    const events: WorkEvents = { ...NO_WORK_EVENTS, callbackAttempted: (delivered) => tries.push(delivered) };
    const { sender, dispatcher, finished } = await setUp(['slow'], { events });
    await finished('quick');
    await finished('slow');
    dispatcher.start();
    await eventually(() => tries.length === 1 && sender.inFlight === 1, { timeoutMs: 5000, intervalMs: 5, what: 'one delivery and one try in flight' });
    await dispatcher.stop();
    expect(tries).toEqual([true]);
  });
});
