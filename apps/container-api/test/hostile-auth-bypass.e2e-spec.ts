// Hostile input, class 1: reaching an API route without the header and token checks, by spelling
// its path another way than the route does. Raw sockets, so that no client tidies the target up.
import type { Socket } from 'node:net';
import { expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { expectCleanErrorAnswer, head, rawExchange } from './support/raw-http';
import { BASE, TestApp, startTestApp } from './support/test-app';

// Every spelling the router might take to an API route: escapes in fixed words (either case of
// hex digit), absolute-form targets, a query, escaped parameters.
const SUBMIT_SPELLINGS = [
  '/core/api/v2/%63ontainers/bag/batch',
  '/core/api/v2/%63%6F%6E%74%61%69%6E%65%72%73/bag/batch',
  '/%63ore/api/v2/containers/bag/batch',
  '/core/%61pi/v2/containers/bag/batch',
  '/core/api/v2/containers/bag/%62atch',
  '/core/api/v2/containers/bag/%62%61%74%63%68',
  '/core/api/v2/containers/%62ag/batch',
  '/core/api/v2/containers/bag/batch?x=%00',
  'http://x/core/api/v2/containers/bag/batch',
  'HTTP://evil.example:80/core/api/v2/containers/bag/batch',
  'http://x/core/api/v2/%63ontainers/bag/batch',
  '/core/api/v2/containers/bag/batch/%75pload',
  '/core/api/v2/containers/%63ontainer-types',
  '/core/api/v2/containers/container-types/bag/config/%61ttributes',
  '/core/api/v2/containers/bag/batch/%63ancel?batchId=batch:00000000-0000-4000-8000-000000000000',
];

const DECLARED = 8 * 1024 * 1024;

jest.setTimeout(20_000);

describe('hostile input: the token check cannot be skipped', () => {
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    t.app.getHttpServer().on('connection', (socket: Socket) => sockets.push(socket));
    await defineType(t, { name: 'bag' });
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: string) => Number((await t.database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);

  /** A submit that declares a big JSON body and sends only its first 64 KiB. */
  const bigSubmit = (target: string, headers: Record<string, string>, method = 'POST') =>
    rawExchange(t.url, {
      send:
        head(`${method} ${target} HTTP/1.1`, { Host: 'x', 'Content-Type': 'application/json', 'Content-Length': DECLARED, ...headers }) +
        `{"payload":[${'{"refID":"r"},'.repeat(4600)}`,
      waitMs: 3000,
    });

  it.each(SUBMIT_SPELLINGS)('checks the token on %s before reading any of the body', async (target) => {
    const answer = await bigSubmit(target, { 'X-COREOS-REQUEST-ID': 'bypass-1', 'X-COREOS-TID': 'acme' });
    expectCleanErrorAnswer(answer);
    // Matched routes ask for the token; a spelling no route matches is simply not found.
    expect([
      [401, 'UNAUTHORIZED'],
      [404, 'NOT_FOUND'],
    ]).toContainEqual([answer.status, answer.body.error.code]);
    expect(answer.headers['x-coreos-request-id']).toBe('bypass-1');
    expect(answer.body.request.body).toEqual({});
    // Answered without waiting for the 8 MiB, and the connection closed after the answer.
    expect(answer.closed).toBe(true);
    expect(answer.headers.connection).toBe('close');
  });

  it('asks for the identity headers first, whatever the spelling', async () => {
    for (const target of SUBMIT_SPELLINGS.slice(0, 4)) {
      const answer = await bigSubmit(target, {});
      expectEnvelopeError(answer, 400, 'MISSING_HEADER');
      expect(answer.closed).toBe(true);
    }
  });

  it('refuses an odd spelling with 400 even with a valid token, and stores nothing', async () => {
    const before = await count('batches');
    // All but the plain ones and the one no route matches for POST (config answers GET and PUT).
    const refused = SUBMIT_SPELLINGS.filter((target) => !target.includes('%62ag') && !target.includes('?x=') && !target.includes('config'));
    for (const target of refused) {
      const headers = await t.headers();
      const body = JSON.stringify({ payload: [{ refID: 'odd-1' }] });
      const answer = await rawExchange(t.url, {
        send:
          head(`POST ${target} HTTP/1.1`, {
            Host: 'x',
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            Connection: 'close',
            ...headers,
          }) + body,
        waitMs: 3000,
      });
      expectCleanErrorAnswer(answer);
      expectEnvelopeError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.additionalInfo.violations[0].path).toBe('path');
    }
    expect(await count('batches')).toBe(before);
  });

  it.each([
    // The router takes these to the status route, with the segment as the container type.
    ['/core/api/v2/containers/./batch/status', 400],
    ['/core/api/v2/containers/../batch/status', 400],
    ['/core/api/v2/containers/%2e%2e/batch/status', 400],
    ['/core/api/v2/containers/%2E/batch/status', 400],
    ['/core/api/v2/containers//batch/status', 400],
    // No route has these shapes.
    ['/core/api/v2/containers/bag/batch/status/', 404],
    ['//core/api/v2/containers/bag/batch/status', 404],
    ['/core/api/v2/containers/bag/./batch/status', 404],
    ['/core/api/v2/containers/x/../bag/batch/status', 404],
  ])('refuses the dot segments and doubled slashes of %s (%d)', async (target, status) => {
    const answer = await rawExchange(t.url, {
      send: head(`GET ${target}?batchId=batch:00000000-0000-4000-8000-000000000000 HTTP/1.1`, { Host: 'x', Connection: 'close', ...(await t.headers()) }),
      waitMs: 2000,
    });
    expectCleanErrorAnswer(answer);
    expect([answer.status, answer.body.error.code]).toEqual([status, status === 400 ? 'VALIDATION_FAILED' : 'NOT_FOUND']);
  });

  it('serves the plain spelling, and a parameter given with escapes', async () => {
    for (const target of [`${BASE}/bag/batch`, `${BASE}/%62ag/batch`]) {
      const headers = await t.headers();
      const body = JSON.stringify({ payload: [{ refID: 'plain-1' }] });
      const answer = await rawExchange(t.url, {
        send:
          head(`POST ${target} HTTP/1.1`, {
            Host: 'x',
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            Connection: 'close',
            ...headers,
          }) + body,
        waitMs: 3000,
      });
      expect(answer.status).toBe(202);
    }
  });

  it('reads next to nothing of the bodies of many refused connections, and keeps none of them open', async () => {
    const target = '/core/api/v2/%63ontainers/bag/batch';
    const chunk = Buffer.alloc(4 * 1024 * 1024, 0x20);
    sockets.length = 0;
    const answers = await Promise.all(
      Array.from({ length: 32 }, () =>
        rawExchange(t.url, {
          // Each declares 4 MiB and tries to send all of it at once.
          send: Buffer.concat([
            Buffer.from(head(`POST ${target} HTTP/1.1`, { Host: 'x', 'Content-Type': 'application/json', 'Content-Length': chunk.length })),
            chunk,
          ]),
          waitMs: 5000,
        }),
      ),
    );
    for (const answer of answers) {
      expectEnvelopeError(answer, 400, 'MISSING_HEADER');
      expect(answer.closed).toBe(true);
    }
    const read = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    // 128 MiB were offered; what the server took is what was in flight when it answered.
    expect(read).toBeLessThan(32 * 512 * 1024);
    expect(sockets.length).toBeGreaterThanOrEqual(32);
    await eventually(() => sockets.filter((socket) => !socket.destroyed).length, {
      timeoutMs: 1_000,
      intervalMs: 20,
      what: 'every socket closed (the count still open)',
      until: (open) => open === 0,
    });
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(0);
  });
});
