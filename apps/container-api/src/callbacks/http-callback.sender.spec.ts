import { FixedClock, T0, aBatchId, aCallbackTarget } from '@container-service/batch-domain/testing';
import { startReceiver } from '../../test/support/receiver';
import { CallbackAddressGuard } from './callback-address.guard';
import { HttpCallbackSender, callbackSignature } from './http-callback.sender';

const due = (url: string, secret: string | null = 'k') => ({ locator: { tenantId: 'acme', targetType: 'bag', batchId: aBatchId() }, target: aCallbackTarget({ url, secret }), attempts: 0 });

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
    expect(await sender.send(due(receiver.url), {})).toEqual({ delivered: false, error: expect.stringMatching(/no answer within 200 ms/) });
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
});
