// Hostile input, class 2: bodies that never finish. A JSON body has BODY_TIMEOUT_MS to arrive
// whole; an upload may not stall for UPLOAD_IDLE_TIMEOUT_MS. Past either the answer is 408
// REQUEST_TIMEOUT, the connection is closed, and nothing of the request is kept.
import { expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { expectCleanErrorAnswer, head, rawExchange } from './support/raw-http';
import { BASE, TestApp, startTestApp } from './support/test-app';

jest.setTimeout(30_000);

const BODY_TIMEOUT_MS = 1000;
const UPLOAD_IDLE_TIMEOUT_MS = 1500;
const BOUNDARY = 'hostile-boundary';

/** The start of a multipart upload: an optional callback field, then the file part's head. */
const formStart = (callbackFirst: boolean) =>
  (callbackFirst ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="callback"\r\n\r\n{"url":"https://example.com/"}\r\n` : '') +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="rows.csv"\r\nContent-Type: text/csv\r\n\r\n`;
const formEnd = `\r\n--${BOUNDARY}--\r\n`;
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => `stall-${from + i}\n`).join('');

describe('hostile input: body deadlines', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), UPLOAD_IDLE_TIMEOUT_MS: String(UPLOAD_IDLE_TIMEOUT_MS) });
    await defineType(t, { name: 'bag' });
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: string) => Number((await t.database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);
  const jsonHead = async (extra: Record<string, string | number>) =>
    head(`POST ${BASE}/bag/batch HTTP/1.1`, { Host: 'x', 'Content-Type': 'application/json', ...(await t.headers()), ...extra });

  const expectTimedOut = (answer: Awaited<ReturnType<typeof rawExchange>>, after: number) => {
    expectCleanErrorAnswer(answer);
    expectEnvelopeError(answer, 408, 'REQUEST_TIMEOUT');
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
    expect(answer.answeredAfterMs).toBeGreaterThanOrEqual(after - 50);
    expect(answer.answeredAfterMs).toBeLessThan(after + 2500);
  };

  describe('JSON bodies', () => {
    it('answers 408 and closes when the body stalls right after the headers', async () => {
      const answer = await rawExchange(t.url, { send: await jsonHead({ 'Content-Length': 100 }), waitMs: 5000 });
      expectTimedOut(answer, BODY_TIMEOUT_MS);
    });

    it('answers 408 and closes when the body stalls half way', async () => {
      const answer = await rawExchange(t.url, { send: (await jsonHead({ 'Content-Length': 100 })) + '{"payload":[{"refID":"s', waitMs: 5000 });
      expectTimedOut(answer, BODY_TIMEOUT_MS);
      expect(answer.body.request.body).toEqual({});
    });

    it('answers 408 to a chunked body that trickles a byte at a time: the deadline is for the whole body', async () => {
      const answer = await rawExchange(t.url, {
        send: (await jsonHead({ 'Transfer-Encoding': 'chunked' })) + '1\r\n{\r\n',
        trickle: { piece: '1\r\n \r\n', everyMs: 50, count: 200 },
        waitMs: 5000,
      });
      expectTimedOut(answer, BODY_TIMEOUT_MS);
    });

    it('keeps nothing of timed-out submits, and the next request is served', async () => {
      const before = await count('batches');
      const answers = await Promise.all(
        Array.from({ length: 10 }, async () => rawExchange(t.url, { send: (await jsonHead({ 'Content-Length': 50_000 })) + '{"payload":[', waitMs: 5000 })),
      );
      expect(answers.map((answer) => [answer.status, answer.closed])).toEqual(Array.from({ length: 10 }, () => [408, true]));
      expect(await count('batches')).toBe(before);
      const next = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body: { payload: [{ refID: 'after-1' }] } });
      expect(next.status).toBe(202);
    });

    it('takes a body that arrives slowly but within the deadline', async () => {
      const body = JSON.stringify({ payload: [{ refID: 'slow-1' }] });
      const answer = await rawExchange(t.url, {
        send: (await jsonHead({ 'Content-Length': body.length, Connection: 'close' })) + body.slice(0, 10),
        trickle: { piece: body.slice(10), everyMs: BODY_TIMEOUT_MS / 5, count: 1 },
        waitMs: 5000,
      });
      expect(answer.status).toBe(202);
    });
  });

  describe('uploads', () => {
    const uploadHead = async (extra: Record<string, string | number> = {}) =>
      head(`POST ${BASE}/bag/batch/upload HTTP/1.1`, {
        Host: 'x',
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Transfer-Encoding': 'chunked',
        ...(await t.headers()),
        ...extra,
      });
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

    it('answers 408 and closes when an upload stalls mid-file, and removes the rows it had stored', async () => {
      const [batches, items] = [await count('batches'), await count('batch_items')];
      const exchange = rawExchange(t.url, { send: (await uploadHead()) + chunk(formStart(true) + 'refID\n' + rows(0, 2500)), waitMs: 6000 });
      // The first parts of the file are stored while the client stalls.
      const stored = await eventually(async () => (await count('batch_items')) - items, {
        timeoutMs: 1_200,
        intervalMs: 20,
        what: 'the first rows of the stalled upload stored',
      });
      expect(stored).toBeGreaterThan(0);
      const answer = await exchange;
      expectTimedOut(answer, UPLOAD_IDLE_TIMEOUT_MS);
      expect(answer.body.request.body.file).toEqual({ name: 'rows.csv', bytes: expect.any(Number) });
      expect([await count('batches'), await count('batch_items')]).toEqual([batches, items]);
    });

    it('answers 408 when an upload stalls before its file part', async () => {
      const answer = await rawExchange(t.url, {
        send: (await uploadHead()) + chunk(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="callback"\r\n\r\n{"url":`),
        waitMs: 6000,
      });
      expectTimedOut(answer, UPLOAD_IDLE_TIMEOUT_MS);
    });

    it('answers 408 when an upload stalls after its file, before the form ends', async () => {
      const before = await count('batches');
      const answer = await rawExchange(t.url, {
        send: (await uploadHead()) + chunk(formStart(false) + 'refID\nafter-file-1\n' + `\r\n--${BOUNDARY}\r\n`),
        waitMs: 6000,
      });
      expectTimedOut(answer, UPLOAD_IDLE_TIMEOUT_MS);
      expect(await count('batches')).toBe(before);
    });

    it('answers 408 when the client stalls after an early error, while the rest is being drained', async () => {
      const answer = await rawExchange(t.url, { send: (await uploadHead()) + chunk(formStart(false) + 'no-ref-column\n' + 'x\n'.repeat(100)), waitMs: 6000 });
      expectTimedOut(answer, UPLOAD_IDLE_TIMEOUT_MS);
    });

    it('does not count the time between pieces that keep coming: a slow but steady upload is taken', async () => {
      // Five pieces, one every 40 % of the idle time: 2.4 s in all, more than the idle time.
      const gap = UPLOAD_IDLE_TIMEOUT_MS * 0.4;
      const answer = await rawExchange(t.url, {
        send: (await uploadHead({ Connection: 'close' })) + chunk(formStart(false) + 'refID\n'),
        later: [
          ...[rows(0, 10), rows(10, 10), rows(20, 10)].map((piece) => ({ afterMs: gap, piece: chunk(piece) })),
          { afterMs: gap, piece: chunk(formEnd) + '0\r\n\r\n' },
        ],
        waitMs: 8000,
      });
      expect(answer.status).toBe(202);
    });
  });
});
