import { Readable } from 'node:stream';
import { ApiError, ConnectionError } from './api-error';
import { createBatchClient } from './batch-client';
import type { BatchClient } from './batch-client';
import { FakeServer, aMeta, json, request, startFakeServer } from '../test/fake-http-server';

const BATCH = 'batch:00000000-0000-4000-8000-000000000001';

type ClientMethod = { [K in keyof BatchClient]: BatchClient[K] extends (...args: never[]) => unknown ? K : never }[keyof BatchClient];

describe('createBatchClient', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(() => server.close());

  const client = (extra: { requestId?: string } = {}) => createBatchClient({ baseUrl: `${server.url}/`, tenant: 'acme', token: 'tok-1', ...extra });

  it('sends the identity headers and a fresh request id, and answers the envelope’s data', async () => {
    server.handle((_req, res) => json(res, 200, { data: { meta: aMeta(), errors: [], success: [] }, request }));
    const answer = await client().status('bag', BATCH);
    await client().status('bag', BATCH);

    expect(answer.meta.status).toBe('IN_PROGRESS');
    const [first, second] = server.seen;
    expect(first?.path).toBe('/core/api/v2/containers/bag/batch/status');
    expect(first?.query.get('batchId')).toBe(BATCH);
    expect(first?.headers['x-coreos-tid']).toBe('acme');
    expect(first?.headers['x-coreos-access']).toBe('tok-1');
    expect(first?.headers['x-coreos-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers['x-coreos-request-id']).not.toBe(first?.headers['x-coreos-request-id']);
  });

  it('sends X-COREOS-REQUEST-ID, fresh each time, and the identity on every call, uploads and streams included', async () => {
    server.handle((req, res) => {
      if (req.headers.accept === 'text/event-stream') res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end('event: done\ndata: {}\n\n');
      else if (req.headers.accept === 'text/csv') res.writeHead(200, { 'Content-Type': 'text/csv' }).end('refID\r\n');
      else json(res, 200, { data: { id: BATCH, items: [], nextCursor: null, meta: aMeta(), errors: [], success: [] }, request });
    });
    const c = client();
    // One entry per method of BatchClient: a method added to the interface fails to compile here until it is covered.
    const calls: Record<ClientMethod, () => Promise<unknown>> = {
      createType: () => c.createType({ name: 'bag' }),
      getType: () => c.getType('bag'),
      listTypes: () => c.listTypes(),
      getAttributes: () => c.getAttributes('bag'),
      replaceAttributes: () => c.replaceAttributes('bag', []),
      submit: () => c.submit('bag', 'update', { payload: [] }),
      upload: () => c.upload('bag', 'create', new Blob(['refID\n'])),
      uploadStream: () => c.uploadStream('bag', 'update', { size: 6, open: () => Readable.from([Buffer.from('refID\n')]) }),
      status: () => c.status('bag', BATCH),
      results: () => c.results('bag', BATCH),
      resultsCsv: async () => new Response(await c.resultsCsv('bag', BATCH)).text(),
      template: () => c.template('bag', 'create'),
      cancel: () => c.cancel('bag', BATCH),
      retry: () => c.retry('bag', BATCH),
      list: () => c.list('bag'),
      eventStream: async () => new Response(await c.eventStream('bag', BATCH)).text(),
    };
    for (const call of Object.values(calls)) await call();

    const ids = server.seen.map((r) => r.headers['x-coreos-request-id']);
    expect(ids).toHaveLength(Object.keys(calls).length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(server.seen.filter((r) => r.headers['x-coreos-tid'] !== 'acme' || r.headers['x-coreos-access'] !== 'tok-1')).toEqual([]);
  });

  it('sends the request id it was given', async () => {
    server.handle((_req, res) => json(res, 200, { data: { meta: aMeta(), errors: [], success: [] }, request }));
    await client({ requestId: 'job-42' }).status('bag', BATCH, { wait: 5 });
    expect(server.seen[0]?.headers['x-coreos-request-id']).toBe('job-42');
    expect(server.seen[0]?.query.get('wait')).toBe('5');
  });

  it('throws an ApiError carrying the envelope’s code, status and request id', async () => {
    server.handle((_req, res) =>
      json(res, 404, { error: { code: 'BATCH_NOT_FOUND', description: 'no such batch', additionalInfo: { errorName: 'BATCH_NOT_FOUND' } }, request }),
    );
    const failure = await client({ requestId: 'r-9' })
      .cancel('bag', BATCH)
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 404, code: 'BATCH_NOT_FOUND', description: 'no such batch', requestId: 'r-9' });
    expect(server.seen[0]).toMatchObject({ method: 'POST', path: '/core/api/v2/containers/bag/batch/cancel' });
  });

  it('keeps an error code this client does not know, as the service sent it', async () => {
    server.handle((_req, res) =>
      json(res, 409, { error: { code: 'SOMETHING_NEWER', description: 'a newer rule', additionalInfo: { errorName: 'SOMETHING_NEWER' } }, request }),
    );
    const failure = await client()
      .retry('bag', BATCH)
      .catch((e: unknown) => e);

    expect(failure).toMatchObject({ status: 409, code: 'SOMETHING_NEWER', additionalInfo: { errorName: 'SOMETHING_NEWER' } });
  });

  it('names an error answer without an envelope by its status', async () => {
    server.handle((_req, res) => res.writeHead(502, { 'Content-Type': 'text/plain' }).end('Bad Gateway'));
    await expect(client().list('bag')).rejects.toMatchObject({ status: 502, code: 'HTTP_502', description: 'Bad Gateway' });
  });

  it('throws a ConnectionError naming the system error when nothing listens', async () => {
    const url = server.url;
    await server.close();
    const failure = await createBatchClient({ baseUrl: url, tenant: 'acme', token: 't' })
      .getType('bag')
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).reason).toBe('ECONNREFUSED');
    expect((failure as Error).message).toBe(`cannot reach ${url}: ECONNREFUSED`);
    server = await startFakeServer();
  });

  it('submits JSON batches with POST for create and PUT for update, with the idempotency key, and answers the batch id', async () => {
    server.handle((_req, res) => json(res, 202, { data: { id: BATCH }, request }));
    const created = await client().submit('bag', 'create', { payload: [{ refID: 'a' }] }, { idempotencyKey: 'k-1', callbackSecret: 's-1' });
    const updated = await client().submit('bag', 'update', { payload: [{ containerId: 'bag:1', data: {} }] });

    expect([created, updated]).toEqual([BATCH, BATCH]);
    expect(server.seen.map((r) => r.method)).toEqual(['POST', 'PUT']);
    expect(server.seen[0]?.headers['content-type']).toBe('application/json');
    expect(server.seen[0]?.headers['idempotency-key']).toBe('k-1');
    expect(server.seen[0]?.headers['x-coreos-callback-secret']).toBe('s-1');
    expect(JSON.parse(server.seen[0]?.body.toString() ?? '')).toEqual({ payload: [{ refID: 'a' }] });
    expect(server.seen[1]?.headers['idempotency-key']).toBeUndefined();
  });

  it('uploads a file held in memory as multipart, with the callback and the submit headers', async () => {
    server.handle((_req, res) => json(res, 202, { data: { id: BATCH }, request }));
    const id = await client().upload('bag', 'create', new Blob(['refID\nr-1\n']), {
      fileName: 'bags.csv',
      callback: { url: 'https://example.com/hook' },
      idempotencyKey: 'k-2',
      callbackSecret: 's-2',
    });

    expect(id).toBe(BATCH);
    const seen = server.seen[0];
    expect(seen).toMatchObject({ method: 'POST', path: '/core/api/v2/containers/bag/batch/upload' });
    expect(seen?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen?.headers).toMatchObject({ 'idempotency-key': 'k-2', 'x-coreos-callback-secret': 's-2' });
    const body = seen?.body.toString() ?? '';
    expect(body).toContain('name="file"; filename="bags.csv"');
    expect(body).toContain('refID\nr-1\n');
    expect(body).toContain('{"url":"https://example.com/hook"}');
  });

  it('reads the container-type routes', async () => {
    server.handle((req, res) => json(res, req.method === 'POST' ? 202 : 200, { data: { id: 'bag', name: 'bag', attributes: [] }, request }));
    await expect(client().createType({ name: 'bag', isLeaf: false })).resolves.toEqual({ id: 'bag', name: 'bag', attributes: [] });
    await client().getType('bag');
    await client().getAttributes('bag');
    await client().replaceAttributes('bag', [{ name: 'weight', dataType: 'number' }]);
    expect(server.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /core/api/v2/containers/container-types',
      'GET /core/api/v2/containers/container-types/bag',
      'GET /core/api/v2/containers/container-types/bag/config/attributes',
      'PUT /core/api/v2/containers/container-types/bag/config/attributes',
    ]);
    expect(JSON.parse(server.seen[3]?.body.toString() ?? '')).toEqual({ attributes: [{ name: 'weight', dataType: 'number' }] });
  });

  it('asks for CSV and hands the template over as text and the results as a stream', async () => {
    server.handle((req, res) => res.writeHead(200, { 'Content-Type': 'text/csv' }).end(req.path.endsWith('template') ? 'refID\r\nx\r\n' : 'refID,reason\r\n'));
    await expect(client().template('bag', 'create')).resolves.toBe('refID\r\nx\r\n');
    const stream = await client().resultsCsv('bag', BATCH, { outcome: 'failed' });
    await expect(new Response(stream).text()).resolves.toBe('refID,reason\r\n');
    expect(server.seen.map((r) => r.headers.accept)).toEqual(['text/csv', 'text/csv']);
    expect(server.seen[1]?.query.get('outcome')).toBe('failed');
  });
});
