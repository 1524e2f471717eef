// Hostile CSV files end to end (contract §4.3, §13): headers that are too wide, unnamed or
// repeated, a giant first line, a giant quoted cell, and the formula guard of CSV exports, which
// uploads take off again so that a failed-rows file gives back the values it came from.
import { readCsvRecords } from '../src/files/csv-records';
import { acceptedId, dataOf, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { finalStatus } from './support/final-status';
import { BASE, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

const FORMULA_START = /^[=+\-@\t\r]/;

/** Values that start with each character a spreadsheet would run, and the guard itself. */
const HOSTILE_LABELS = [
  '=HYPERLINK("http://x","y")',
  '+1+1',
  '-2-2',
  '@SUM(A1)',
  '\tTAB first',
  '\rCR first',
  '\r\nCRLF first',
  "'=already guarded",
  "''+twice",
  'in\tside\r\nand, "quoted"',
];

async function cellsOf(csv: string): Promise<string[][]> {
  const records: string[][] = [];
  const bytes = (async function* () {
    yield Buffer.from(csv, 'utf8');
  })();
  for await (const entry of readCsvRecords(bytes)) {
    if ('problem' in entry) throw new Error(entry.message);
    records.push([...entry.cells]);
  }
  return records;
}

/** Every cell of a CSV as sent, without reading the guard back: a cell as a spreadsheet sees it. */
function rawCells(csv: string): string[] {
  const cells: string[] = [];
  const cell = /(?:"((?:[^"]|"")*)"|([^,\r\n]*))(,|\r\n|$)/gy;
  for (let match = cell.exec(csv); match !== null && match.index < csv.length; match = cell.exec(csv)) {
    cells.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!);
  }
  return cells;
}

describe('Hostile CSV files over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true', UPLOAD_MAX_BYTES: String(8 * 1024 * 1024) });
    const define = async (body: unknown) => defineType(t, body);
    await define({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number' }] });
    await define({ name: 'sheet', attributes: [{ name: 'weight', dataType: 'number' }] });
    await define({ name: 'ledger', attributes: [{ name: 'weight', dataType: 'number' }] });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = async (type: string, csv: string | Uint8Array, method: 'POST' | 'PUT' = 'POST') =>
    t.request(`${BASE}/${type}/batch/upload`, { method, headers: await t.headers(), form: csvForm(csv) });
  const count = async (table: string) => Number((await t.database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);

  const untilFinal = async (type: string, batchId: string): Promise<TestResponse> => finalStatus(t, type, batchId, { timeoutMs: 30_000 });

  const attributes = (n: number) => Array.from({ length: n }, (_, i) => `attributes.a${i}`);
  const others = (n: number) => Array.from({ length: n }, (_, i) => `note${i}`);
  const withRow = (header: string[]) => `${header.join(',')}\nr-1${','.repeat(header.length - 1)}\n`;

  describe('headers', () => {
    it.each([
      ['257 attribute columns', () => withRow(['refID', ...attributes(257)]), 'the header has 257 attributes.* columns; at most 256 are allowed'],
      ['an empty column name', () => 'refID,,attributes.weight\nr-1,x,1\n', 'column 2 of the header has no name'],
      ['a column name of spaces', () => 'refID,attributes.weight,   \nr-1,1,x\n', 'column 3 of the header has no name'],
      ['a trailing comma', () => 'refID,attributes.weight,\nr-1,1,\n', 'column 3 of the header has no name'],
      ['a repeated name', () => 'refID,attributes.weight,attributes.weight\nr-1,1,2\n', "the header repeats the column 'attributes.weight'"],
      ['a name repeated once trimmed', () => 'refID, refID \nr-1,r-1\n', "the header repeats the column 'refID'"],
      ['an attribute column without a name', () => 'refID,attributes.\nr-1,1\n', "the column 'attributes.' names no attribute"],
      ['33 columns it does not read', () => withRow(['refID', ...others(33)]), 'the header has 33 columns that are not create columns; at most 32 are allowed'],
      ['a million empty columns', () => `refID${','.repeat(1_000_000)}\nr-1\n`, 'the header line has more than 1024 cells'],
      ['a header line over 64 KiB', () => `refID,${'n'.repeat(70_000)}\nr-1,x\n`, 'the header line is longer than 65536 characters'],
      [
        'a giant quoted cell that never closes',
        () => `refID,note\nr-1,"${'x'.repeat(3 * 1024 * 1024)}\n`,
        'the record starting on line 2 is longer than 1048576 characters',
      ],
      ['a row of more than 1024 cells', () => `refID,note\nr-1,x\nr-2${','.repeat(1024)}\n`, 'the record starting on line 3 has more than 1024 cells'],
    ])('refuses %s with 400 INVALID_FILE and stores nothing', async (_name, csv, message) => {
      const before = [await count('batches'), await count('batch_items')];
      const response = await upload('bag', csv());
      expectEnvelopeError(response, 400, 'INVALID_FILE');
      expect(response.body.error.description).toContain(message);
      expect(response.body.error.additionalInfo.violations[0].message).toBe(message);
      expect([await count('batches'), await count('batch_items')]).toEqual(before);
    });

    it('takes the known columns with 256 attribute columns and 32 it does not read', async () => {
      const header = [
        'refID',
        'scannableId',
        'isHazmat',
        'isContainerizable',
        'isReusable',
        'parentId',
        'trackingDetails',
        'items',
        ...attributes(256),
        ...others(32),
      ];
      const response = await upload('bag', withRow(header));
      const final = await untilFinal('bag', acceptedId(response));
      expect(final.body.data.meta).toMatchObject({ status: 'SUCCESS', total: 1 });
    });

    it('lists and reads status of many wide-header batches without reading their headers', async () => {
      const header = ['refID', ...attributes(256), ...others(32)].map((name) => `${name}${'_'.repeat(100)}`.replace(/^refID_+$/, 'refID'));
      for (let i = 0; i < 5; i++) {
        const submitted = await upload('bag', withRow(header));
        expect(submitted.status).toBe(202);
        await untilFinal('bag', submitted.body.data.id);
      }
      // Behind the service's back: a stored header that cannot be parsed shows which reads parse it.
      await t.database.write((tx) => tx.query("UPDATE batches SET columns = '[not json' WHERE source = 'file'"));
      const list = await t.request(`${BASE}/bag/batches?limit=500`, { headers: await t.headers() });
      expect(list.status).toBe(200);
      expect(list.body.data.items.length).toBeGreaterThanOrEqual(5);
      const status = await t.request(`${BASE}/bag/batch/status?batchId=${list.body.data.items[0].batchId}`, { headers: await t.headers() });
      expect(status.status).toBe(200);
      await t.database.write((tx) => tx.query("DELETE FROM batch_items WHERE batch_pk IN (SELECT pk FROM batches WHERE columns = '[not json')"));
      await t.database.write((tx) => tx.query("DELETE FROM batches WHERE columns = '[not json'"));
    });
  });

  describe('formula guard', () => {
    const failedCsv = async (type: string, batchId: string) => {
      const response = await t.request(`${BASE}/${type}/batch/results?batchId=${batchId}&outcome=failed`, {
        headers: { ...(await t.headers()), Accept: 'text/csv' },
      });
      expect(response.status).toBe(200);
      return response.text;
    };
    const addLabel = async (type: string) =>
      expect(
        (
          await t.request(`${BASE}/container-types/${type}/config/attributes`, {
            method: 'PUT',
            headers: await t.headers(),
            body: {
              attributes: [
                { name: 'weight', dataType: 'number' },
                { name: 'label', dataType: 'string' },
              ],
            },
          })
        ).status,
      ).toBe(202);

    /** Uploads the failed-rows file as is and gives back what each stored container holds, by refID. */
    async function uploadAgain(type: string, csv: string): Promise<Map<string, { scannableId?: string; attributes: Record<string, unknown> }>> {
      const submitted = await upload(type, csv);
      const final = await untilFinal(type, acceptedId(submitted));
      expect(final.body.data.errors).toEqual([]);
      const stored = new Map<string, { scannableId?: string; attributes: Record<string, unknown> }>();
      for (const { refID, id } of final.body.data.success) {
        const container = await t.request(`${BASE}/${type}/${encodeURIComponent(id)}`, { headers: await t.headers() });
        const { scannableId, attributes } = dataOf<{ scannableId?: string; attributes: Record<string, unknown> }>(container);
        stored.set(refID, { scannableId, attributes });
      }
      return stored;
    }

    /** No cell of the export starts with a character a spreadsheet would run. */
    function expectGuarded(csv: string) {
      const unguarded = rawCells(csv).filter((cell) => FORMULA_START.test(cell));
      expect(unguarded).toEqual([]);
    }

    it('guards the failed items of a JSON batch, and the file uploads back to the same values', async () => {
      const items = HOSTILE_LABELS.map((label, i) => ({
        refID: `${'=+-@'[i % 4]}r${i}`,
        scannableId: `${'=+-@\t'[i % 5]}S-${i}`,
        attributes: { weight: i % 2 === 0 ? -5 - i : i + 0.5, label },
      }));
      const submitted = await t.request(`${BASE}/sheet/batch`, { method: 'POST', headers: await t.headers(), body: { payload: items } });
      const first = await untilFinal('sheet', acceptedId(submitted));
      expect(first.body.data.meta).toMatchObject({ status: 'FAILED', failed: items.length });

      const csv = await failedCsv('sheet', submitted.body.data.id);
      expectGuarded(csv);
      expect(csv).toContain(`'-5,"'=HYPERLINK(""http://x"",""y"")"`);
      expect(csv).toContain(`''=already guarded`);

      await addLabel('sheet');
      const stored = await uploadAgain('sheet', csv);
      expect(stored.size).toBe(items.length);
      for (const item of items) expect(stored.get(item.refID)).toEqual({ scannableId: item.scannableId, attributes: item.attributes });
    });

    it("guards the failed rows of a file batch, CRLF and TAB cells included, and they upload back to the file's values", async () => {
      const quote = (cell: string) => `"${cell.replace(/"/g, '""')}"`;
      const rows = HOSTILE_LABELS.map((label, i) => [`f-${i}`, `-${i + 1}`, label]);
      const original = ['refID,attributes.weight,attributes.label', ...rows.map((cells) => cells.map(quote).join(','))].join('\r\n');
      const submitted = await upload('ledger', original);
      const first = await untilFinal('ledger', acceptedId(submitted));
      expect(first.body.data.meta).toMatchObject({ status: 'FAILED', failed: rows.length });

      const csv = await failedCsv('ledger', submitted.body.data.id);
      expectGuarded(csv);
      // Read back as the service reads it, the export holds the cells as uploaded (a leading ' of
      // the upload taken off once), then row, reason and code.
      const read = await cellsOf(csv);
      expect(read[0]).toEqual(['refID', 'attributes.weight', 'attributes.label', 'row', 'reason', 'code']);
      expect(read.slice(1).map((cells) => cells.slice(0, 3))).toEqual(
        rows.map(([ref, weight, label]) => [ref, weight, label!.replace(/^'(?='*[=+\-@\t\r])/, '')]),
      );

      await addLabel('ledger');
      const stored = await uploadAgain('ledger', csv);
      for (const [ref, weight, label] of rows) {
        expect(stored.get(ref!)).toEqual({ scannableId: null, attributes: { weight: Number(weight), label: label!.replace(/^'(?='*[=+\-@\t\r])/, '') } });
      }
    });

    it('guards the results CSV too', async () => {
      const submitted = await t.request(`${BASE}/bag/batch`, {
        method: 'POST',
        headers: await t.headers(),
        body: { payload: [{ refID: '=1+2' }, { refID: '@x', attributes: { weight: 'heavy' } }] },
      });
      await untilFinal('bag', submitted.body.data.id);
      const csv = await t.request(`${BASE}/bag/batch/results?batchId=${submitted.body.data.id}`, { headers: { ...(await t.headers()), Accept: 'text/csv' } });
      expectGuarded(csv.text);
      expect(csv.text.split('\r\n')[1]).toMatch(/^'=1\+2,,success,bag:/);
      expect((await cellsOf(csv.text)).map((cells) => cells[0])).toEqual(['refID', '=1+2', '@x']);
    });
  });
});
