import { A_KIND, FixedClock, T0, aBatchId, aCallbackTarget } from '@container-service/batch-domain/testing';
import { startHostileReceiver } from '../../test/support/hostile-receiver';
import { startReceiver } from '../../test/support/receiver';
import { CallbackAddressGuard } from './callback-address.guard';
import { HttpCallbackSender, callbackSignature } from './http-callback.sender';

const due = (url: string, secret: string | null = 'k') => ({
  locator: { tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId() },
  target: aCallbackTarget({ url, secret }),
  attempts: 0,
});

describe('HttpCallbackSender', () => {
  it('posts the body with the documented headers and a signature a receiver can check', async () => {
    const receiver = await startReceiver();
    const sender = new HttpCallbackSender(new CallbackAddressGuard(true), new FixedClock(T0), { timeoutMs: 2000 });
    expect(await sender.send(due(receiver.url), { hello: 'world' })).toEqual({ delivered: true, error: null });
    const [got] = receiver.received;
    expect(got!.body).toBe('{"hello":"world"}');
    expect(got!.headers).toMatchObject({ 'x-coreos-timestamp': String(T0), 'x-coreos-tid': 'acme', 'x-coreos-request-id': 'req-1' });
    expect(got!.headers['x-coreos-hmac-signature']).toBe(callbackSignature('k', String(T0), got!.body));
    await receiver.close();
  });

  it('reports a non-2xx answer, a refused connection and a timeout as not delivered', async () => {
    const receiver = await startReceiver();
    const sender = new HttpCallbackSender(new CallbackAddressGuard(true), new FixedClock(T0), { timeoutMs: 200 });
    receiver.plan(302, 'hold');
    expect(await sender.send(due(receiver.url), {})).toEqual({ delivered: false, error: 'HTTP 302' });
    expect(await sender.send(due(receiver.url), {})).toEqual({ delivered: false, error: expect.stringMatching(/no complete answer within 200 ms/) });
    await receiver.close();
    expect((await sender.send(due(receiver.url), {})).error).toMatch(/ECONNREFUSED/);
  });

  it('refuses at delivery time a host that now resolves to an internal address, without connecting', async () => {
    const receiver = await startReceiver();
    const sender = new HttpCallbackSender(new CallbackAddressGuard(false), new FixedClock(T0), { timeoutMs: 2000 });
    const viaName = receiver.url.replace('127.0.0.1', 'localhost');
    const result = await sender.send(due(viaName), {});
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/internal address/);
    expect(receiver.received).toHaveLength(0);
    await receiver.close();
  });

  it('refuses at delivery time an internal IP literal, which no lookup would see, without connecting', async () => {
    const receiver = await startReceiver();
    const sender = new HttpCallbackSender(new CallbackAddressGuard(false), new FixedClock(T0), { timeoutMs: 2000 });
    for (const url of [receiver.url, receiver.url.replace('127.0.0.1', '[::ffff:127.0.0.1]')]) {
      expect(await sender.send(due(url), {})).toEqual({ delivered: false, error: expect.stringMatching(/internal address/) });
    }
    expect(receiver.received).toHaveLength(0);
    await receiver.close();
  });
});

describe('HttpCallbackSender against hostile receivers', () => {
  const timeoutMs = 400;
  const sender = new HttpCallbackSender(new CallbackAddressGuard(true), new FixedClock(T0), { timeoutMs });
  const timed = async (url: string, signal?: AbortSignal) => {
    const started = Date.now();
    const result = await sender.send(due(url), { batch: 1 }, signal);
    return { result, ms: Date.now() - started };
  };

  it.each([
    ['answers 200 and trickles its body for ever', 'trickle'],
    ['never answers', 'silent'],
    ['trickles its headers for ever', 'headers'],
  ] as const)('ends a try whose receiver %s at the deadline, and closes the connection', async (_name, behaviour) => {
    const receiver = await startHostileReceiver();
    const { result, ms } = await timed(receiver.url(behaviour, 't1'));
    expect(result).toEqual({ delivered: false, error: `no complete answer within ${timeoutMs} ms` });
    expect(ms).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(ms).toBeLessThan(timeoutMs + 400);
    for (let i = 0; i < 100 && receiver.open('t1') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(receiver.open('t1')).toBe(0);
    await receiver.close();
  });

  it('reads at most 64 KiB of an endless answer, then lets the status decide', async () => {
    const receiver = await startHostileReceiver();
    const { result, ms } = await timed(receiver.url('huge', 'h1'));
    expect(result).toEqual({ delivered: true, error: null });
    expect(ms).toBeLessThan(timeoutMs);
    for (let i = 0; i < 100 && receiver.open('h1') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(receiver.open('h1')).toBe(0);
    await receiver.close();
  });

  it('cuts a try short at once when told to stop', async () => {
    const receiver = await startHostileReceiver();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const { result, ms } = await timed(receiver.url('trickle', 'a1'), stop.signal);
    expect(result).toEqual({ delivered: false, error: 'stopped during the try' });
    expect(ms).toBeLessThan(timeoutMs);
    await receiver.close();
  });
});
