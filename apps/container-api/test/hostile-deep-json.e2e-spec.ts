// Hostile input, class 7: JSON bodies that can never succeed (too deep, not JSON, poisoned) are
// 400 VALIDATION_FAILED in an intact envelope, never a 503 that invites a retry; and the echo of
// any body, chunked or not, is decided by the bytes read.
import { expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { expectCleanErrorAnswer, head, rawExchange } from './support/raw-http';
import { BASE, TestApp, csvForm, startTestApp } from './support/test-app';

jest.setTimeout(20_000);

const arrays = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('hostile input: deep and unreadable JSON bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await defineType(t, { name: 'bag' });
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: string) => Number((await t.database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);
  const send = async (method: string, path: string, rawBody: string) => t.request(path, { method, headers: await t.headers(), rawBody });

  // Every route that takes a JSON body, and shapes that nest past 64 levels in different places.
  const ROUTES: Array<[string, string]> = [
    ['POST', `${BASE}/bag/batch`],
    ['PUT', `${BASE}/bag/batch`],
    ['POST', `${BASE}/container-types`],
    ['PUT', `${BASE}/container-types/bag/config/attributes`],
  ];
  const BODIES: Array<[string, string]> = [
    ['65 nested arrays', arrays(65)],
    ['65 nested objects', objects(65)],
    ['an item attribute nested 70 deep', `{"payload":[{"refID":"d-1","attributes":{"x":${arrays(70)}}}]}`],
    ['a callback meta nested 100 000 deep', `{"payload":[{"refID":"d-2"}],"callback":{"url":"https://example.com/","meta":${arrays(100_000)}}}`],
    ['mixed arrays and objects', `{"attributes":[${'{"v":['.repeat(40)}0${']}'.repeat(40)}]}`],
  ];

  describe.each(ROUTES)('%s %s', (method, path) => {
    it.each(BODIES)('answers %s with 400 VALIDATION_FAILED, not a retryable 503', async (_name, body) => {
      const before = await count('batches');
      const response = await send(method, path, body);
      expectCleanErrorAnswer(response);
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'body', message: expect.stringContaining('64') }]);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.body.request.body).toEqual(Buffer.byteLength(body) > 16 * 1024 ? { truncated: true, bytes: expect.any(Number) } : {});
      expect(await count('batches')).toBe(before);
    });
  });

  it('takes 64 levels, and brackets inside strings do not count', async () => {
    const deepest = await send('POST', `${BASE}/bag/batch`, `{"payload":[{"refID":"ok-64","attributes":{"x":${arrays(60)}}}]}`);
    expect(deepest.status).toBe(202);
    const inText = await send('POST', `${BASE}/bag/batch`, `{"payload":[{"refID":"${'['.repeat(200)}"}]}`);
    expectEnvelopeError(inText, 400, 'VALIDATION_FAILED');
    expect(inText.body.error.additionalInfo.violations[0].path).not.toBe('body');
  });

  it('refuses a deep body at its 65th level, without reading the rest', async () => {
    const answer = await rawExchange(t.url, {
      send:
        head(`POST ${BASE}/bag/batch HTTP/1.1`, { Host: 'x', 'Content-Type': 'application/json', 'Content-Length': 8 * 1024 * 1024, ...(await t.headers()) }) +
        '['.repeat(1000),
      waitMs: 3000,
    });
    expectCleanErrorAnswer(answer);
    expect([answer.status, answer.body.error.code, answer.closed]).toEqual([400, 'VALIDATION_FAILED', true]);
    expect(answer.body.request.body).toEqual({});
  });

  it.each([70, 30_000])('answers an upload whose callback field nests %d levels with 400 VALIDATION_FAILED on callback', async (depth) => {
    const before = await count('batches');
    const callback = `{"url":"https://example.com/","meta":{"a":${arrays(depth)}}}`;
    const response = await t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await t.headers(), form: csvForm('refID\nr-1\n', { callback }) });
    expectCleanErrorAnswer(response);
    expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'callback', message: expect.stringContaining('64') }]);
    expect(await count('batches')).toBe(before);
  });

  it.each([
    ['malformed JSON', '{"payload": ['],
    ['an empty body', ''],
    ['a bare string', '"payload"'],
    ['a number out of range', '1e999999'],
    ['a NUL byte outside strings', '{"payload":\u0000[]}'],
  ])('answers %s with 400 VALIDATION_FAILED', async (_name, body) => {
    const response = await send('POST', `${BASE}/bag/batch`, body);
    expectCleanErrorAnswer(response);
    expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body holding a number too large to read, which would be stored as null', async () => {
    const before = await count('batches');
    for (const literal of ['1e400', '-1E+999', '9'.repeat(400)]) {
      const response = await send('POST', `${BASE}/bag/batch`, `{"payload":[{"refID":"n-1","attributes":{"weight":${literal}}}]}`);
      expectCleanErrorAnswer(response);
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'body', message: expect.stringContaining('Infinity') }]);
    }
    // A big finite number, or one written in a string, is read as it is.
    const fine = await send('POST', `${BASE}/bag/batch`, '{"payload":[{"refID":"n-2","attributes":{"weight":1.7e308,"note":"1e400"}}]}');
    expect(fine.status).toBe(202);
    expect(await count('batches')).toBe(before + 1);
  });

  it('drops __proto__ and constructor.prototype keys, anywhere in the body, as unknown fields', async () => {
    const body =
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"payload":[{"refID":"p-1","attributes":{"weight":1},"__proto__":{"polluted":true}}]}';
    const response = await send('POST', `${BASE}/bag/batch`, body);
    expect(response.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('request echo', () => {
    const bigBody = JSON.stringify({ payload: 'x'.repeat(20_000) });

    it('summarises a body over 16 KiB sent with Content-Length', async () => {
      const response = await send('POST', `${BASE}/bag/batch`, bigBody);
      expect(response.status).toBe(400);
      expect(response.body.request.body).toEqual({ truncated: true, bytes: Buffer.byteLength(bigBody) });
    });

    it('summarises a chunked body over 16 KiB by the bytes read', async () => {
      const pieces = [bigBody.slice(0, 7000), bigBody.slice(7000, 15000), bigBody.slice(15000)];
      const chunked = pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`).join('') + '0\r\n\r\n';
      const answer = await rawExchange(t.url, {
        send:
          head(`POST ${BASE}/bag/batch HTTP/1.1`, {
            Host: 'x',
            'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked',
            Connection: 'close',
            ...(await t.headers()),
          }) + chunked,
        waitMs: 3000,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.request.body).toEqual({ truncated: true, bytes: Buffer.byteLength(bigBody) });
      expect(answer.text.length).toBeLessThan(4096);
    });

    it('echoes a small chunked body whole', async () => {
      const small = JSON.stringify({ payload: 'not a list' });
      const answer = await rawExchange(t.url, {
        send:
          head(`POST ${BASE}/bag/batch HTTP/1.1`, {
            Host: 'x',
            'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked',
            Connection: 'close',
            ...(await t.headers()),
          }) + `${small.length.toString(16)}\r\n${small}\r\n0\r\n\r\n`,
        waitMs: 3000,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.request.body).toEqual({ payload: 'not a list' });
    });
  });
});
