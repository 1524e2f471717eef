// Items without a refID (contract §4, §4.3) and the multipart callback as a part of its own, the
// way OS1 clients send them: a generated client's create items carry no refID, a CSV may have no
// refID column or empty cells, and FormData sends a callback Blob as a part with a filename.
import { acceptedId, expectEnvelopeError } from './support/answers';
import { eventually } from './support/eventually';
import { finalStatus } from './support/final-status';
import { os1Schema } from './support/os1-schemas';
import { Receiver, startReceiver } from './support/receiver';
import { BASE, TestApp, TestResponse, startTestApp } from './support/test-app';

describe('items named by position or line, and callbacks sent as parts', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({ WORKER_ENABLED: 'true', CALLBACK_BACKOFF_BASE_MS: '100', CALLBACK_MAX_ATTEMPTS: '2', CALLBACK_TIMEOUT_MS: '5000' });
    const defined = await t.request(`${BASE}/container-types`, {
      method: 'POST',
      headers: await t.headers(),
      body: { name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] },
    });
    expect(defined.status).toBe(202);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  async function untilFinal(batchId: string): Promise<TestResponse> {
    // Was 1500 polls 20 ms apart, at least 30 s.
    const response = await finalStatus(t, 'bag', batchId, { timeoutMs: 45_000, intervalMs: 20 });
    expect(os1Schema('ContainerBatchResponse')(response.body)).toBe(true);
    return response;
  }
  const submit = async (body: unknown) => t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body });
  const upload = async (form: FormData) => t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers: await t.headers(), form });
  const csvPart = (csv: string) => new Blob([csv], { type: 'text/csv' });
  const fileForm = (csv: string) => {
    const form = new FormData();
    form.append('file', csvPart(csv), 'containers.csv');
    return form;
  };
  const refsOf = (list: Array<{ refID: string; row?: number }>) => list.map((e) => (e.row === undefined ? e.refID : [e.refID, e.row]));
  const failedCsv = async (batchId: string) =>
    (await t.request(`${BASE}/bag/batch/results?batchId=${batchId}&outcome=failed`, { headers: { ...(await t.headers()), Accept: 'text/csv' } })).text;

  describe('JSON create items', () => {
    it('names an item without refID by its 1-based position, everywhere the batch is read', async () => {
      const submitted = await submit({
        payload: [
          { attributes: { weight: 1 } },
          { refID: 'given', attributes: { weight: 2 } },
          { refID: null, attributes: { weight: 'heavy' } },
          { attributes: {} },
        ],
      });
      expect(submitted.status).toBe(202);
      // The echo shows the body as it came, without the names.
      expect(submitted.body.request.body.payload[0]).toEqual({ attributes: { weight: 1 } });
      const final = (await untilFinal(submitted.body.data.id)).body.data;
      expect(refsOf(final.success)).toEqual(['1', 'given']);
      expect(refsOf(final.errors)).toEqual(['3', '4']);
      const container = await t.request(`${BASE}/bag/${final.success[0].id}`, { headers: await t.headers() });
      expect(container.body.data.refID).toBe('1');
      const results = await t.request(`${BASE}/bag/batch/results?batchId=${submitted.body.data.id}`, { headers: await t.headers() });
      expect(results.body.data.items.map((r: { refID: string }) => r.refID)).toEqual(['1', 'given', '3', '4']);
      // The failed-rows CSV holds the names, so uploading it again keeps them.
      expect(
        (await failedCsv(submitted.body.data.id))
          .split(/\r?\n/)
          .slice(1, 3)
          .map((line) => line.split(',')[0]),
      ).toEqual(['3', '4']);
    });

    it('keeps the names when the failed items are retried', async () => {
      const submitted = await submit({ payload: [{ attributes: { weight: 1 } }, { attributes: {} }, { attributes: { weight: 'x' } }] });
      await untilFinal(submitted.body.data.id);
      const retried = await t.request(`${BASE}/bag/batch/retry?batchId=${submitted.body.data.id}`, { method: 'POST', headers: await t.headers() });
      expect(retried.status).toBe(202);
      expect(refsOf((await untilFinal(retried.body.data.id)).body.data.errors)).toEqual(['2', '3']);
    });

    it('refuses a given refID that equals the name of an item without one, saying which', async () => {
      const response = await submit({ payload: [{ attributes: { weight: 1 } }, { refID: '1', attributes: { weight: 1 } }] });
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([
        { path: 'payload[1].refID', message: "'1' is the name given to payload[0], which has no refID; choose another or give payload[0] one" },
      ]);
      expect(os1Schema('ErrorResponse')(response.body)).toBe(true);
    });

    it('still refuses a given refID that is empty, too long or not a string', async () => {
      const response = await submit({ payload: [{ refID: '' }, { refID: 'x'.repeat(129) }, { refID: 5 }] });
      expect(response.status).toBe(400);
      expect(response.body.error.additionalInfo.violations.map((v: { path: string }) => v.path)).toEqual([
        'payload[0].refID',
        'payload[1].refID',
        'payload[2].refID',
      ]);
    });
  });

  describe('CSV create rows', () => {
    it('names every row of a file without a refID column by its line, blank lines counted', async () => {
      const submitted = await upload(fileForm('attributes.weight\n1\n\nheavy\n2\n'));
      const final = (await untilFinal(acceptedId(submitted))).body.data;
      expect(refsOf(final.success)).toEqual([
        ['2', 2],
        ['5', 5],
      ]);
      expect(refsOf(final.errors)).toEqual([['4', 4]]);
      const container = await t.request(`${BASE}/bag/${final.success[1].id}`, { headers: await t.headers() });
      expect(container.body.data.refID).toBe('5');
      // The failed-rows CSV has a refID column with the names: uploaded again, the names stay.
      const csv = await failedCsv(submitted.body.data.id);
      expect(csv.split(/\r?\n/).slice(0, 2)).toEqual(['refID,attributes.weight,row,reason,code', expect.stringMatching(/^4,heavy,4,/)]);
      const again = await upload(fileForm(csv.replace('heavy', '3')));
      expect(refsOf((await untilFinal(again.body.data.id)).body.data.success)).toEqual([['4', 2]]);
      // A retry keeps each row's name and line.
      const retried = await t.request(`${BASE}/bag/batch/retry?batchId=${submitted.body.data.id}`, { method: 'POST', headers: await t.headers() });
      expect(refsOf((await untilFinal(retried.body.data.id)).body.data.errors)).toEqual([['4', 4]]);
    });

    it('names a row whose refID cell is empty by its line, next to rows that have one', async () => {
      const submitted = await upload(fileForm('attributes.weight,refID\n1,a\n2,\r\n3,c\n'));
      expect(submitted.status).toBe(202);
      expect(refsOf((await untilFinal(submitted.body.data.id)).body.data.success)).toEqual([
        ['a', 2],
        ['3', 3],
        ['c', 4],
      ]);
    });

    it('refuses a file where a given refID equals the line name of a row without one', async () => {
      const response = await upload(fileForm('refID,attributes.weight\n,1\n2,1\n'));
      expectEnvelopeError(response, 400, 'INVALID_FILE');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'file:line 3', message: "line 3 repeats the refID '2' of line 2" }]);
    });

    it('refuses a header with an empty name as before, with its own column numbers', async () => {
      const response = await upload(fileForm('attributes.weight,,x\n1,2,3\n'));
      expectEnvelopeError(response, 400, 'INVALID_FILE');
      expect(response.body.error.additionalInfo.violations[0].message).toBe('column 2 of the header has no name');
    });
  });

  describe('the multipart callback', () => {
    const callbackJson = (tag: string) => JSON.stringify({ url: receiver.url, meta: { tag } });
    // Was 500 looks 20 ms apart.
    const delivered = async (tag: string) => {
      const hit = await eventually(() => receiver.received.find((r) => r.body.includes(`"tag":"${tag}"`)), {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: `a callback tagged ${tag}`,
      });
      return JSON.parse(hit!.body);
    };

    it.each([
      ['after the file', false],
      ['before the file', true],
    ])('takes a Blob of type application/json %s, as FormData sends it, and calls back with the assigned names', async (_where, first) => {
      const tag = `blob-${String(first)}`;
      const form = new FormData();
      const callback = new Blob([callbackJson(tag)], { type: 'application/json' });
      if (first) form.append('callback', callback);
      form.append('file', csvPart('attributes.weight\n1\nx\n'), 'containers.csv');
      if (!first) form.append('callback', callback);
      const submitted = await upload(form);
      expect(submitted.status).toBe(202);
      expect(submitted.body.request.body.callback).toEqual({ url: receiver.url, meta: { tag } });
      const body = await delivered(tag);
      expect(body.batchId).toBe(submitted.body.data.id);
      expect(refsOf(body.data.errors)).toEqual([['3', 3]]);
      expect(refsOf(body.data.success)).toEqual([['2', 2]]);
    });

    /** A form whose callback part comes first, of type application/json and without a filename. */
    const jsonPartFirst = async (callback: string) => {
      const boundary = 'os1-boundary-7d1';
      const body = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="callback"',
        'Content-Type: application/json',
        '',
        callback,
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="c.csv"',
        'Content-Type: text/csv',
        '',
        'attributes.weight\n1\n',
        `--${boundary}--`,
        '',
      ].join('\r\n');
      return t.request(`${BASE}/bag/batch/upload`, {
        method: 'POST',
        headers: await t.headers(),
        rawBody: body,
        contentType: `multipart/form-data; boundary=${boundary}`,
      });
    };

    it('takes a part of type application/json without a filename', async () => {
      const submitted = await jsonPartFirst(callbackJson('raw-json-part'));
      expect(submitted.status).toBe(202);
      expect((await delivered('raw-json-part')).batchId).toBe(submitted.body.data.id);
    });

    it('refuses such a part that is not JSON, on callback, though the file follows it', async () => {
      const response = await jsonPartFirst('{url:');
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'callback', message: 'callback must be JSON text' }]);
    });

    it.each([
      ['not JSON', () => new Blob(['{url:'], { type: 'application/json' }), 'callback', 'must be JSON text'],
      ['not a Callback', () => new Blob(['[1,2]'], { type: 'application/json' }), 'callback', 'must be an object with a url'],
      [
        'a callback without an http(s) url',
        () => new Blob(['{"url":"ftp://x/y"}'], { type: 'application/json' }),
        'callback.url',
        'must be an absolute http(s) URL',
      ],
      [
        'holding a number too large to read, which would be stored as null',
        () => new Blob(['{"url":"https://example.com/h","meta":{"n":1e400}}'], { type: 'application/json' }),
        'callback',
        'holds a number too large to be read',
      ],
      [
        'over 64 KiB',
        () => new Blob([JSON.stringify({ url: 'https://example.com/h', meta: { pad: 'x'.repeat(70_000) } })], { type: 'application/json' }),
        'callback',
        'must be at most 65536 bytes',
      ],
    ])('refuses a callback part that is %s with 400 VALIDATION_FAILED, storing nothing', async (_what, blob, path, message) => {
      const before = Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n);
      const form = fileForm('attributes.weight\n1\n');
      form.append('callback', blob());
      const response = await upload(form);
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path, message }]);
      expect(os1Schema('ErrorResponse')(response.body)).toBe(true);
      expect(Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n)).toBe(before);
    });

    it('refuses two callbacks, a field and a part', async () => {
      const form = fileForm('attributes.weight\n1\n');
      form.append('callback', callbackJson('twice'));
      form.append('callback', new Blob([callbackJson('twice')], { type: 'application/json' }));
      const response = await upload(form);
      expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'callback', message: 'must be given once' }]);
    });
  });
});
