// Files as spreadsheets produce them, end to end: the CSV template of a type (contract §3.3) that
// uploads as it is, files separated by ';', a BOM, header names a spreadsheet user slips on
// (another letter case, an attribute without its prefix) answered with a clear 400 instead of a
// column silently ignored, and the failed-rows file with its row column uploading again.
import { acceptedId, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { finalStatus } from './support/final-status';
import { os1Schema } from './support/os1-schemas';
import { BASE, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

describe('Files from spreadsheets over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '50' });
    await defineType(t, {
      name: 'bag',
      attributes: [
        { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 5, max: 100 } } },
        { name: 'fragile', dataType: 'boolean' },
        { name: 'label', dataType: 'string', required: true, validation: { regex: '^[A-Z]{3}[0-9]{3}$' } },
        { name: 'colour', dataType: 'string', defaultValue: 'grey', validation: { valueOneOf: ['grey', 'red'] } },
        { name: 'dims', dataType: 'object' },
        { name: 'tags', dataType: 'array' },
        { name: 'serial', dataType: 'string', validation: { regex: '^Z{2}q$' } },
      ],
    });
    await defineType(t, { name: 'box', isLeaf: true, attributes: [{ name: 'size', dataType: 'string', required: true, validation: { range: { min: 10 } } }] });
    // Attribute names the failed-rows file also uses as its own columns.
    await defineType(t, {
      name: 'tag',
      attributes: [
        { name: 'code', dataType: 'string', validation: { regex: '^[A-Z]+$' } },
        { name: 'row', dataType: 'number' },
        { name: 'reason', dataType: 'string' },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = async (method: 'POST' | 'PUT', type: string, csv: string) =>
    t.request(`${BASE}/${type}/batch/upload`, { method, headers: await t.headers(), form: csvForm(csv) });
  const untilFinal = (type: string, batchId: string): Promise<TestResponse> => finalStatus(t, type, batchId, { timeoutMs: 60_000, route: 'upload/status' });
  const uploadAndWait = async (method: 'POST' | 'PUT', type: string, csv: string) =>
    (await untilFinal(type, acceptedId(await upload(method, type, csv)))).body.data;
  const template = async (type: string, query = '', tenant?: string) =>
    t.request(`${BASE}/${type}/batch/upload/template${query}`, { headers: await t.headers(tenant) });
  const container = async (type: string, id: string) => (await t.request(`${BASE}/${type}/${id}`, { headers: await t.headers() })).body.data;
  const failedCsv = async (type: string, batchId: string) =>
    t.request(`${BASE}/${type}/batch/results?batchId=${batchId}&outcome=failed`, { headers: { ...(await t.headers()), Accept: 'text/csv' } });

  describe('the CSV template', () => {
    it("answers the create header and an example row of the type's rules, which uploads as is and succeeds, twice", async () => {
      const answer = await template('bag', '?operation=create');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(answer.headers.get('content-disposition')).toBe('attachment; filename="bag-create-template.csv"');
      expect(answer.text).toBe(
        [
          'refID,scannableId,isHazmat,isContainerizable,isReusable,parentId,trackingDetails,items,attributes.weight,attributes.fragile,attributes.label,attributes.colour,attributes.dims,attributes.tags,attributes.serial',
          'example-1,,false,true,false,,,,5,true,ABC123,grey,{},[],',
          '',
        ].join('\r\n'),
      );
      for (let round = 0; round < 2; round++) {
        const final = await uploadAndWait('POST', 'bag', answer.text);
        expect(final.meta).toMatchObject({ status: 'SUCCESS', total: 1, success: 1 });
        expect((await container('bag', final.success[0].id)).attributes).toEqual({
          weight: 5,
          fragile: true,
          label: 'ABC123',
          colour: 'grey',
          dims: {},
          tags: [],
        });
      }
      // No operation named: the create template.
      expect((await template('bag')).text).toBe(answer.text);
    });

    it("gives a leaf type's example an item, and a string of the length its range asks", async () => {
      const answer = await template('box', '?operation=create');
      expect(answer.text.split('\r\n')[1]).toBe(
        'example-1,,false,true,false,,,"[{""name"":""Example item"",""code"":""EX-1"",""cost"":{""total"":{""amount"":10,""currency"":""USD""}},""quantity"":{""value"":1,""unit"":""nos""}}]",exampleeee',
      );
      const final = await uploadAndWait('POST', 'box', answer.text);
      expect(final.meta).toMatchObject({ status: 'SUCCESS', success: 1 });
    });

    it('answers the update header, whose example uploads once its placeholder names a container', async () => {
      const created = await uploadAndWait('POST', 'bag', 'refID,attributes.weight,attributes.label\nu-1,50,XYZ999\n');
      const answer = await template('bag', '?operation=update');
      expect(answer.headers.get('content-disposition')).toBe('attachment; filename="bag-update-template.csv"');
      const [header, example] = answer.text.split('\r\n');
      expect(header).toBe(
        'containerId,trackingDetails,items,attributes.weight,attributes.fragile,attributes.label,attributes.colour,attributes.dims,attributes.tags,attributes.serial',
      );
      expect(example).toBe('bag:00000000-0000-4000-8000-000000000000,,,5,true,ABC123,grey,{},[],');
      const final = await uploadAndWait('PUT', 'bag', answer.text.replace('bag:00000000-0000-4000-8000-000000000000', created.success[0].id));
      expect(final.meta).toMatchObject({ status: 'SUCCESS', success: 1 });
      expect((await container('bag', created.success[0].id)).attributes).toMatchObject({ weight: 5, label: 'ABC123' });
    });

    it('answers as every batch route does: 404 for a type the tenant lacks, 400 for a bad operation or name, 401 for a bad token', async () => {
      for (const answer of [await template('crate'), await template('bag', '?operation=create', 'globex')]) {
        expectEnvelopeError(answer, 404, 'CONTAINER_TYPE_NOT_FOUND');
        expect(os1Schema('ErrorResponse')(answer.body)).toBe(true);
      }
      const bad = expectEnvelopeError(await template('bag', '?operation=delete'), 400, 'VALIDATION_FAILED');
      expect(bad.additionalInfo?.violations).toEqual([{ path: 'operation', message: 'must be create or update' }]);
      expectEnvelopeError(await template('bag', '?operation=create&operation=update'), 400, 'VALIDATION_FAILED');
      expectEnvelopeError(await template('b4g'), 400, 'VALIDATION_FAILED');
      const denied = await t.request(`${BASE}/bag/batch/upload/template`, { headers: { ...(await t.headers()), 'X-COREOS-ACCESS': 'garbage' } });
      expectEnvelopeError(denied, 401, 'UNAUTHORIZED');
      const noTenant = await t.request(`${BASE}/bag/batch/upload/template`, { headers: { ...(await t.headers()), 'X-COREOS-TID': undefined } });
      expectEnvelopeError(noTenant, 400, 'MISSING_HEADER');
    });
  });

  describe("files separated by ';'", () => {
    it("reads a file whose header has ';' and no ',' as separated by ';', BOM and quoted cells included", async () => {
      const csv = '\uFEFFrefID;attributes.weight;attributes.label;attributes.tags;note\r\nsc-1;12.5;ABC123;"[""a"",""b""]";"a; b, c"\r\nsc-2;7;XYZ000;;x,y\r\n';
      const final = await uploadAndWait('POST', 'bag', csv);
      expect(final.meta).toMatchObject({ status: 'SUCCESS', total: 2, success: 2 });
      expect(final.success.map((s: { refID: string; row: number }) => [s.refID, s.row])).toEqual([
        ['sc-1', 2],
        ['sc-2', 3],
      ]);
      expect((await container('bag', final.success[0].id)).attributes).toEqual({ weight: 12.5, label: 'ABC123', tags: ['a', 'b'], colour: 'grey' });
    });

    it("refuses a header that mixes ',' and ';', and a tab-separated file, with a sentence that says so", async () => {
      const mixed = await upload('POST', 'bag', 'refID;attributes.weight,note\nm-1;5,x\n');
      expectEnvelopeError(mixed, 400, 'INVALID_FILE');
      expect(mixed.body.error.description).toContain("holds a ';': a file is read as separated by ';' only when its header line has no ',' outside quotes");
      const tabs = await upload('POST', 'bag', 'refID\tattributes.weight\nt-1\t5\n');
      expectEnvelopeError(tabs, 400, 'INVALID_FILE');
      expect(tabs.body.error.description).toContain('files separated by tabs are not read');
    });
  });

  describe('header names', () => {
    it('names a known column in another letter case, an attribute without its prefix and a prefix in another case, and stores nothing', async () => {
      const refused = expectEnvelopeError(await upload('POST', 'bag', 'refid,weight,Attributes.label,note\nh-1,5,ABC123,x\n'), 400, 'INVALID_FILE');
      expect(refused.additionalInfo?.violations).toEqual([
        {
          path: 'file:line 1',
          message:
            "the header has columns that would be ignored as they are named (names are case-sensitive, attributes take the 'attributes.' prefix): 'refid' is spelled 'refID'; 'weight' names the attribute 'weight': its column is 'attributes.weight'; 'Attributes.label' is spelled 'attributes.label'",
        },
      ]);
      const update = await upload('PUT', 'bag', 'containerID,attributes.weight\nbag:x,5\n');
      expectEnvelopeError(update, 400, 'INVALID_FILE');
      expect(update.body.error.description).toContain("'containerID' is spelled 'containerId'");
    });

    it("keeps ignoring other columns, and takes row, reason and code as the failed-rows file's even for a type with such attributes", async () => {
      const final = await uploadAndWait('POST', 'tag', 'refID,attributes.code,attributes.row,note,Weight\ng-1,ABC,1,x,y\ng-2,abc,2,x,y\n');
      expect(final.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 1, failed: 1 });
      const failed = await failedCsv('tag', final.meta.batchId);
      expect(failed.headers.get('content-disposition')).toBe(`attachment; filename="${final.meta.batchId.replace('batch:', 'batch-')}-failed.csv"`);
      expect(failed.text).toBe(
        ['refID,attributes.code,attributes.row,note,Weight,row,reason,code', "g-2,abc,2,x,y,3,attribute 'code' must match ^[A-Z]+$,ATTRIBUTE_INVALID", ''].join(
          '\r\n',
        ),
      );
      const again = await uploadAndWait('POST', 'tag', failed.text.replace(',abc,', ',ABC,'));
      expect(again.meta).toMatchObject({ status: 'SUCCESS', success: 1 });
      expect((await container('tag', again.success[0].id)).attributes).toEqual({ code: 'ABC', row: 2 });
    });
  });
});
