// docs/examples is true: the sample type, JSON batch and CSV files do what docs/examples/README.md
// says against the real service, the .http file runs in order with the answers it expects, and
// the committed Postman collection is the one the OpenAPI document gives.
import fs from 'node:fs';
import path from 'node:path';
import { examplesCollectionText, COLLECTION_FILE } from '../src/cli/examples-collection';
import { acceptedId, dataOf, expectStatus } from './support/answers';
import { finalStatus } from './support/final-status';
import { parseHttpFile, runHttpFile } from './support/http-file';
import { BASE, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

const DOCS = path.resolve(__dirname, '../../../docs');
const EXAMPLES = path.join(DOCS, 'examples');
const HTTP_FILE = path.join(EXAMPLES, 'container-service.http');
const example = (file: string) => fs.readFileSync(path.join(EXAMPLES, file), 'utf8');

/** What each request of the .http file answers when the file runs once, in order, for a new tenant. */
const HTTP_FILE_STATUSES: Record<string, number> = {
  defineType: 202,
  template: 200,
  submitJson: 202,
  jsonStatus: 200,
  jsonResults: 200,
  uploadCsv: 202,
  uploadStatus: 200,
  failedRows: 200,
};

// Each test waits for batches to finish: more than Jest's 5 s on a loaded machine.
const SLOW = 90_000;

describe('docs/examples', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true' });
  }, SLOW);
  afterAll(async () => {
    await t.close();
  });

  const untilFinal = (batchId: string, tenant: string): Promise<TestResponse> => finalStatus(t, 'bag', batchId, { timeoutMs: 60_000, tenant });
  const upload = async (method: 'POST' | 'PUT', csv: string, tenant: string) =>
    t.request(`${BASE}/bag/batch/upload`, { method, headers: await t.headers(tenant), form: csvForm(csv) });

  describe('the sample files', () => {
    const tenant = 'examples';
    const created = new Map<string, string>();

    beforeAll(async () => {
      const type = await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(tenant), rawBody: example('bag-type.json') });
      expectStatus(type, 202);
    }, SLOW);

    it(
      'bag-batch.json: every item succeeds',
      async () => {
        const submitted = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(tenant), rawBody: example('bag-batch.json') });
        const { meta, success } = dataOf<{ meta: Record<string, unknown>; success: { refID: string }[] }>(await untilFinal(acceptedId(submitted), tenant));
        const payload = (JSON.parse(example('bag-batch.json')) as { payload: { refID: string }[] }).payload;
        expect(meta).toMatchObject({ status: 'SUCCESS', success: payload.length, total: payload.length });
        expect(success.map((entry) => entry.refID)).toEqual(payload.map((item) => item.refID));
      },
      SLOW,
    );

    it(
      'bag-create.csv: every row succeeds',
      async () => {
        const submitted = await upload('POST', example('bag-create.csv'), tenant);
        const { meta, success } = dataOf<{ meta: Record<string, unknown>; success: { refID: string; id: string; row: number }[] }>(
          await untilFinal(acceptedId(submitted), tenant),
        );
        expect(meta).toMatchObject({ status: 'SUCCESS', success: 3, failed: 0, total: 3 });
        expect(success.map((entry) => [entry.refID, entry.row])).toEqual([
          ['csv-1', 2],
          ['csv-2', 3],
          ['csv-3', 4],
        ]);
        for (const entry of success) created.set(entry.refID, entry.id);
        const first = dataOf<Record<string, unknown>>(await t.request(`${BASE}/bag/${created.get('csv-1')!}`, { headers: await t.headers(tenant) }));
        expect(first).toMatchObject({
          scannableId: 'SCAN-CSV-001',
          attributes: { weight: 2.5, colour: 'blue', fragile: false, destination: 'AMS' },
          trackingDetails: [{ operator: 'UPS', trackingId: 'CSV-TRACK-001', isPrimary: true }],
        });
        // Defaults fill what a row leaves empty.
        const third = dataOf<Record<string, unknown>>(await t.request(`${BASE}/bag/${created.get('csv-3')!}`, { headers: await t.headers(tenant) }));
        expect(third).toMatchObject({ attributes: { weight: 0.4, colour: 'grey', fragile: false } });
      },
      SLOW,
    );

    it(
      'bag-update.csv, its placeholder ids replaced by the ones bag-create.csv made: every row succeeds and updates its container',
      async () => {
        expect(created.size).toBe(3);
        // The file names each row's container by a placeholder and the refID it was created under.
        const lines = example('bag-update.csv').split('\n');
        const filled = lines
          .map((line, index) => {
            if (index === 0 || line === '') return line;
            const refId = line.split(',')[1]!;
            expect(line).toMatch(/^bag:00000000-0000-4000-8000-00000000000\d,/);
            return line.replace(/^[^,]+/, created.get(refId)!);
          })
          .join('\n');
        const submitted = await upload('PUT', filled, tenant);
        const { meta } = dataOf<{ meta: Record<string, unknown> }>(await untilFinal(acceptedId(submitted), tenant));
        expect(meta).toMatchObject({ status: 'SUCCESS', success: 3, failed: 0, total: 3, operation: 'update' });

        const read = async (refId: string) =>
          dataOf<Record<string, unknown>>(await t.request(`${BASE}/bag/${created.get(refId)!}`, { headers: await t.headers(tenant) }));
        // Attributes merge cell by cell: empty cells keep what was stored.
        expect(await read('csv-1')).toMatchObject({ attributes: { weight: 3, colour: 'red', fragile: false, destination: 'AMS' } });
        const second = await read('csv-2');
        expect(second).toMatchObject({ attributes: { weight: 14, colour: 'red', fragile: false, destination: 'FRA' } });
        expect(second.trackingDetails).toEqual([{ operator: 'UPS', trackingId: 'CSV-TRACK-002', isPrimary: true }]);
        expect(await read('csv-3')).toMatchObject({ attributes: { weight: 1.2, colour: 'blue', destination: 'LHR' } });
      },
      SLOW,
    );

    it(
      'bag-create-with-mistakes.csv: the rows that break a rule fail alone, with their lines',
      async () => {
        const submitted = await upload('POST', example('bag-create-with-mistakes.csv'), tenant);
        const { meta, errors } = dataOf<{ meta: Record<string, unknown>; errors: { refID: string; row: number; code: string }[] }>(
          await untilFinal(acceptedId(submitted), tenant),
        );
        expect(meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 1, failed: 3, total: 4 });
        expect(errors.map((entry) => [entry.refID, entry.row, entry.code])).toEqual([
          ['fix-2', 3, 'ATTRIBUTE_INVALID'],
          ['fix-3', 4, 'ATTRIBUTE_INVALID'],
          ['fix-4', 5, 'ATTRIBUTE_INVALID'],
        ]);
      },
      SLOW,
    );
  });

  describe('container-service.http', () => {
    it('names every request and expects an answer for each', () => {
      const names = parseHttpFile(fs.readFileSync(HTTP_FILE, 'utf8')).requests.map((request) => request.name);
      expect(names).toEqual(Object.keys(HTTP_FILE_STATUSES));
    });

    it(
      'runs in order against the service, each request answering as expected',
      async () => {
        const tenant = 'http-file';
        const seen: string[] = [];
        let failedRows = '';
        await runHttpFile(HTTP_FILE, { baseUrl: t.url, tenant, token: await t.token(tenant) }, (request, answer) => {
          const name = request.name ?? `${request.method} ${request.url}`;
          seen.push(name);
          expect({ name, status: answer.status, body: answer.status === HTTP_FILE_STATUSES[name] ? '' : answer.text }).toEqual({
            name,
            status: HTTP_FILE_STATUSES[name],
            body: '',
          });
          if (name === 'jsonStatus') expect(JSON.parse(answer.text).data.meta).toMatchObject({ status: 'SUCCESS', success: 3, total: 3 });
          if (name === 'uploadStatus') expect(JSON.parse(answer.text).data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', failed: 3, total: 4 });
          if (name === 'failedRows') failedRows = answer.text;
        });
        expect(seen).toEqual(Object.keys(HTTP_FILE_STATUSES));
        // The failed rows come back with their cells, ready to fix: the three broken ones, in order.
        const lines = failedRows.trim().split(/\r?\n/);
        expect(lines[0]).toBe('refID,scannableId,attributes.weight,attributes.colour,attributes.destination,row,reason,code');
        expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['fix-2', 'fix-3', 'fix-4']);
      },
      SLOW,
    );
  });

  describe('the Postman collection', () => {
    it('is the one docs/openapi.json gives (`npm run examples` or the build rewrites it: commit it with the document)', () => {
      const committed = fs.readFileSync(path.join(EXAMPLES, COLLECTION_FILE), 'utf8');
      expect(committed).toBe(examplesCollectionText(path.join(DOCS, 'openapi.json'), EXAMPLES));
    });

    it('holds a request for every operation of the document', () => {
      const document = JSON.parse(fs.readFileSync(path.join(DOCS, 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
      const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
      const operations = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).filter((key) => methods.includes(key)).length, 0);
      const collection = JSON.parse(fs.readFileSync(path.join(EXAMPLES, COLLECTION_FILE), 'utf8')) as { item: { item: unknown[] }[] };
      expect(collection.item.reduce((sum, folder) => sum + folder.item.length, 0)).toBe(operations);
    });
  });
});
