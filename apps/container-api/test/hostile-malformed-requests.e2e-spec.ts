// Hostile input, class 9: requests refused before any route runs (paths that do not decode,
// over-long parameters, unknown routes and methods, wrong content types, bytes that are not
// HTTP) answer in the §2 envelope with the request id echoed, never with the framework's body.
import { expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { expectCleanErrorAnswer, head, rawExchange } from './support/raw-http';
import { BASE, TestApp, startTestApp } from './support/test-app';

jest.setTimeout(20_000);

describe('hostile input: malformed requests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await defineType(t, { name: 'bag' });
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (target: string, headers: Record<string, string> = {}) =>
    rawExchange(t.url, { send: head(`GET ${target} HTTP/1.1`, { Host: 'x', Connection: 'close', 'X-COREOS-REQUEST-ID': 'mal-1', ...headers }), waitMs: 3000 });

  it.each([
    `${BASE}/%ff%fe/batch/status`,
    `${BASE}/bag/batch/status%`,
    `${BASE}/%/batch/status`,
    `${BASE}/bag%zz/batch/status`,
    `${BASE}/%c0%af/batch/status`,
    `${BASE}/%ed%a0%80/batch/status`,
    '/core/api/v2/%ff%fe',
    `/nowhere/%`,
  ])('answers the undecodable path %s with 400 VALIDATION_FAILED in the envelope', async (target) => {
    const answer = await get(`${target}?batchId=batch:00000000-0000-4000-8000-000000000000`, await t.headers());
    expectCleanErrorAnswer(answer);
    expectEnvelopeError(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.error.additionalInfo.violations[0].path).toBe('path');
    expect(answer.headers['x-coreos-request-id']).toMatch(/^req-/);
    expect(answer.body.request).toMatchObject({ uri: target, method: 'GET' });
  });

  it.each([[`${BASE}/${'a'.repeat(101)}/batch/status`], [`${BASE}/bag/${'c'.repeat(5000)}`], [`${BASE}/container-types/${'n'.repeat(101)}`]])(
    'answers a path parameter over 100 characters with 400 VALIDATION_FAILED in the envelope (%#)',
    async (target) => {
      const answer = await get(target);
      expectCleanErrorAnswer(answer);
      expectEnvelopeError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.headers['x-coreos-request-id']).toBe('mal-1');
    },
  );

  it.each([
    ['DELETE', `${BASE}/bag/batch`],
    ['PATCH', `${BASE}/bag/batch`],
    ['OPTIONS', `${BASE}/bag/batch`],
    ['GET', `${BASE}/bag/batch/nowhere`],
    ['POST', BASE],
    ['POST', '/nowhere'],
    ['PUT', `${BASE}/bag/batch/status`],
    ['TRACE', '/'],
    ['SEARCH', `${BASE}/bag/batch`],
  ])('answers %s %s, which no route serves, with 404 NOT_FOUND without reading its body', async (method, target) => {
    const answer = await rawExchange(t.url, {
      send:
        head(`${method} ${target} HTTP/1.1`, {
          Host: 'x',
          'X-COREOS-REQUEST-ID': 'nf-2',
          'Content-Type': 'application/json',
          'Content-Length': 4 * 1024 * 1024,
        }) + '{"payload":[',
      waitMs: 3000,
    });
    expectCleanErrorAnswer(answer);
    expectEnvelopeError(answer, 404, 'NOT_FOUND');
    expect(answer.headers['x-coreos-request-id']).toBe('nf-2');
    expect(answer.closed).toBe(true);
  });

  it.each([
    ['text/plain', '{"payload":[]}', 415],
    ['application/xml', '<payload/>', 415],
    ['application/json-patch+json', '[]', 415],
    ['application/x-www-form-urlencoded', 'payload=1', 415],
    [';;;', '{}', 415],
    ['application/json; charset=utf-8', '{"payload":[{"refID":"ct-1"}]}', 202],
  ])('answers a body of type %p in the envelope (%#)', async (contentType, body, status) => {
    const response = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), rawBody: body, contentType });
    expect(response.status).toBe(status);
    if (status !== 202) {
      expectCleanErrorAnswer(response);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers a body without a content type with 415 in the envelope', async () => {
    const answer = await rawExchange(t.url, {
      send: head(`POST ${BASE}/bag/batch HTTP/1.1`, { Host: 'x', 'Content-Length': 2, Connection: 'close', ...(await t.headers()) }) + '{}',
      waitMs: 3000,
    });
    expectCleanErrorAnswer(answer);
    expectEnvelopeError(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    ['an invalid method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a header without a colon', `GET ${BASE} HTTP/1.1\r\nHost: x\r\nX-COREOS-REQUEST-ID: raw-1\r\nbroken header\r\n\r\n`],
    ['a control character in a header value', `GET ${BASE} HTTP/1.1\r\nHost: x\r\nX-Test: a\u0001b\r\n\r\n`],
    [
      'Content-Length and Transfer-Encoding together',
      `POST ${BASE}/bag/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    ['two different Content-Lengths', `POST ${BASE}/bag/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}`],
    [
      'a bad chunk size',
      `POST ${BASE}/bag/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    ['headers over 16 KiB', `GET ${BASE} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ])('answers %s in the envelope and closes the connection', async (_name, bytes) => {
    const answer = await rawExchange(t.url, { send: bytes, waitMs: 3000 });
    expectCleanErrorAnswer(answer);
    expect(answer.status).toBe(400);
    expect(answer.closed).toBe(true);
  });

  it.each([
    ['CONNECT', 'x:443'],
    ['GET', '*core/api/v2/containers/bag/batch/status'],
    ['OPTIONS', '*'],
  ])('answers %s %s with 404 NOT_FOUND in the envelope, the request id echoed', async (method, target) => {
    const answer = await rawExchange(t.url, {
      send: head(`${method} ${target} HTTP/1.1`, { Host: 'x', 'X-COREOS-REQUEST-ID': 'nf-3', Connection: 'close' }),
      waitMs: 3000,
    });
    expectCleanErrorAnswer(answer);
    expect([answer.status, answer.body.error.code, answer.headers['x-coreos-request-id']]).toEqual([404, 'NOT_FOUND', 'nf-3']);
  });

  it('echoes the request id of a request it cannot read, when it has one', async () => {
    const answer = await rawExchange(t.url, { send: `GET ${BASE} HTTP/1.1\r\nHost: x\r\nX-COREOS-REQUEST-ID: raw-2\r\nX-Bad: a\u0001b\r\n\r\n`, waitMs: 3000 });
    expectCleanErrorAnswer(answer);
    expect(answer.headers['x-coreos-request-id']).toBe('raw-2');
  });

  it('still serves plain requests after all that', async () => {
    const response = await t.request(`${BASE}/container-types/bag`, { headers: await t.headers() });
    expect(response.status).toBe(200);
  });
});
