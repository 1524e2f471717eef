// The README's promise, kept by a real client: types generated from the original service's
// OpenAPI file (openapi-typescript, default options) and openapi-fetch's createClient<paths>(),
// unchanged, drive the whole flow against this service: define a type, configure its attributes,
// submit JSON (create items without refID, as the generated type has none, and free-form costs),
// upload a CSV as FormData, poll both status routes, read a container. Every read is checked
// against the original's schemas with ajv. Beside it, the start-up sequence of the public OS1
// reference app, as a fixture.
import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import createClient from 'openapi-fetch';
import YAML from 'yaml';
import { eventually } from './support/eventually';
import { TERMINAL } from './support/final-status';
import type { components, paths } from './support/generated/os1-container-api';
import { OS1_REFERENCE, committedOs1Types, generateOs1Types, writeOs1Types } from './support/os1-client-types';
import { BASE, TestApp, startTestApp } from './support/test-app';

let ajv: Ajv | null = null;
/** The original's schema of that name (components/schemas). */
function schemaOf(name: string): ValidateFunction {
  if (ajv === null) {
    const document = YAML.parse(fs.readFileSync(OS1_REFERENCE, 'utf8'));
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'os1-client', components: document.components });
  }
  const validate = ajv.getSchema(`os1-client#/components/schemas/${name}`);
  if (!validate) throw new Error(`No schema ${name} in the reference`);
  return validate;
}
/**
 * What a flow found wrong. The flows go on past a mismatch where they can, so that one run names
 * every one; each test ends by asserting that none was found.
 */
class Findings {
  readonly list: string[] = [];
  equal(what: string, actual: unknown, expected: unknown): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) this.list.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  /** The body is valid against the original's schema of that name. */
  valid(what: string, name: string, body: unknown): void {
    const validate = schemaOf(name);
    if (!validate(body)) this.list.push(`${what}: not a valid ${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
}

describe('a client generated from the OS1 OpenAPI file', () => {
  it('is generated from the reference as committed (regenerate with UPDATE_OS1_CLIENT=1)', async () => {
    const generated = await generateOs1Types();
    if (process.env.UPDATE_OS1_CLIENT === '1') writeOs1Types(generated);
    expect(committedOs1Types() === generated).toBe(true);
  }, 60_000);

  describe('against the service', () => {
    let t: TestApp;
    let requestNo = 0;
    beforeAll(async () => {
      t = await startTestApp({ WORKER_ENABLED: 'true' });
    });
    afterAll(async () => {
      await t.close();
    });

    const client = () => createClient<paths>({ baseUrl: t.url + BASE });
    /** Every header an operation of the original may ask for; each call its own request id. */
    const headers = async () => ({
      'X-COREOS-REQUEST-ID': `os1-client-${++requestNo}`,
      'X-COREOS-TID': 'acme',
      'X-COREOS-ACCESS': await t.token('acme'),
      'X-COREOS-USERINFO': JSON.stringify({ id: 'u-1', name: 'Ada' }),
      'X-COREOS-ORIGIN-TOKEN': 'origin-token',
    });

    type BatchResponse = components['schemas']['BatchResponse'];
    // Was 1500 polls 20 ms apart, at least 30 s.
    async function untilFinal(found: Findings, read: () => Promise<{ data?: { data?: BatchResponse }; response: Response }>): Promise<BatchResponse> {
      const { data } = await eventually(
        async () => {
          const answer = await read();
          expect(answer.response.status).toBe(200);
          return answer;
        },
        { timeoutMs: 45_000, intervalMs: 20, what: 'the batch to finish', until: (answer) => TERMINAL.includes(answer.data?.data?.meta?.status ?? '') },
      );
      found.valid('a finished batch status', 'ContainerBatchResponse', data);
      return data!.data!;
    }

    it('defines a type, configures it, submits JSON and CSV, polls both status routes and reads a container', async () => {
      const api = client();
      const found = new Findings();

      const defined = await api.POST('/container-types', { params: { header: await headers() }, body: { name: 'tote', isLeaf: true } });
      found.equal('defined: status', defined.response.status, 202);
      found.valid('defined', 'SuccessResponse', defined.data);

      const type = await api.GET('/container-types/{containerTypeName}', { params: { header: await headers(), path: { containerTypeName: 'tote' } } });
      found.equal('type: status', type.response.status, 200);
      found.valid('type', 'ContainerTypeResponse', type.data);

      const configured = await api.PUT('/container-types/{containerTypeName}/config/attributes', {
        params: { header: await headers(), path: { containerTypeName: 'tote' } },
        body: {
          attributes: [
            { name: 'colour', dataType: 'string', isReadPublic: false, defaultValue: 'grey', validation: { required: true, valueOneOf: ['grey', 'red'] } },
            { name: 'weight', dataType: 'number', isReadPublic: true, validation: { required: false, range: { min: 0, max: 50 } } },
          ],
        },
      });
      found.equal('configured: status', configured.response.status, 202);
      found.valid('configured', 'SuccessResponse', configured.data);

      const config = await api.GET('/container-types/{containerTypeName}/config/attributes', {
        params: { header: await headers(), path: { containerTypeName: 'tote' } },
      });
      found.equal('config: status', config.response.status, 200);
      found.valid('config', 'AttributesConfigResponse', config.data);

      // The generated create item has no refID: the service names the items "1" and "2".
      const submitted = await api.POST('/{containerType}/batch', {
        params: { header: await headers(), path: { containerType: 'tote' } },
        body: {
          payload: [
            {
              scannableId: 'TOTE-C1',
              isHazmat: false,
              isContainerizable: true,
              isReusable: true,
              trackingDetails: [{ operator: 'Delhivery', trackingId: 'C-1', isPrimary: true }],
              items: [{ name: 'shirt', cost: { total: { amount: 10 } } }],
            },
            {
              scannableId: 'TOTE-C2',
              isHazmat: false,
              isContainerizable: true,
              isReusable: false,
              items: [
                {
                  name: 'pants',
                  code: 'PNT',
                  cost: { unit: { currency: 'inr' }, total: { amount: 5.5, currency: 'rupees' } },
                  quantity: { value: 2, unit: 'nos' },
                },
              ],
            },
          ],
        },
      });
      found.equal('submitted: status', submitted.response.status, 202);
      found.valid('submitted', 'BatchSuccessResponse', submitted.data);
      const jsonBatch = submitted.data?.data?.id ?? '';
      expect(jsonBatch).toMatch(/^batch:/);

      const jsonDone = await untilFinal(found, async () =>
        api.GET('/{containerType}/batch/status', { params: { header: await headers(), path: { containerType: 'tote' }, query: { batchId: jsonBatch } } }),
      );
      found.equal('JSON batch: failed items', jsonDone.errors, []);
      found.equal(
        'JSON batch: items named by position',
        (jsonDone.success ?? []).map((s) => s.refID),
        ['1', '2'],
      );

      // A CSV upload as FormData (the generated body types the file as a string: openapi-fetch
      // sends multipart through a body serializer).
      const uploaded = await api.POST('/{containerType}/batch/upload', {
        params: { header: await headers(), path: { containerType: 'tote' } },
        body: { file: 'scannableId,attributes.weight,attributes.colour\nTOTE-F1,3,red\nTOTE-F2,,\n' },
        bodySerializer: (body) => {
          const form = new FormData();
          form.append('file', new Blob([body.file], { type: 'text/csv' }), 'totes.csv');
          return form;
        },
      });
      found.equal('uploaded: status', uploaded.response.status, 202);
      found.valid('uploaded', 'BatchSuccessResponse', uploaded.data);
      const fileBatch = uploaded.data?.data?.id ?? '';

      const fileDone = await untilFinal(found, async () =>
        api.GET('/{containerType}/batch/upload/status', {
          params: { header: await headers(), path: { containerType: 'tote' }, query: { batchId: fileBatch } },
        }),
      );
      found.equal('CSV batch: failed rows', fileDone.errors, []);
      found.equal(
        'CSV batch: rows named by line',
        (fileDone.success ?? []).map((s) => s.refID),
        ['2', '3'],
      );

      const containerId = (jsonDone.success ?? [])[0]?.id ?? 'tote:none';
      const container = await api.GET('/{containerTypeName}/{containerId}', {
        params: { header: await headers(), path: { containerTypeName: 'tote', containerId } },
      });
      found.equal('container: status', container.response.status, 200);
      found.valid('container', 'ContainerResponse', container.data);
      const read = container.data?.data;
      found.equal(
        'container: what was submitted',
        [read?.id, read?.containerType, read?.attributes, read?.items?.[0]?.cost],
        [containerId, 'tote', { colour: 'grey' }, { total: { amount: 10 } }],
      );
      expect(found.list).toEqual([]);
    }, 60_000);

    it("follows the reference app's start-up: read type, 400 100920043304, create, configure with validation.required, submit twice with one request id", async () => {
      const requestId = 'startup-fixed-request-id';
      const call = async (method: string, route: string, body?: unknown) => {
        const response = await fetch(t.url + BASE + route, {
          method,
          headers: {
            'X-COREOS-REQUEST-ID': requestId,
            'X-COREOS-TID': 'acme',
            'X-COREOS-ACCESS': await t.token('acme'),
            'X-COREOS-USERINFO': 'api.Userinfo{ID:"", Name:"startup", AppID:"app-7"}',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as { data?: { id?: string }; error?: { code?: string } } };
      };

      const found = new Findings();
      const missing = await call('GET', '/container-types/parcel');
      found.equal('read of a missing type', [missing.status, missing.body.error?.code], [400, '100920043304']);
      found.valid('read of a missing type', 'ErrorResponse', missing.body);

      const created = await call('POST', '/container-types', { name: 'parcel', isLeaf: false });
      found.equal('create type: status', created.status, 202);
      found.valid('create type', 'SuccessResponse', created.body);

      const configured = await call('PUT', '/container-types/parcel/config/attributes', {
        attributes: [{ name: 'zone', dataType: 'string', isReadPublic: false, validation: { required: true } }],
      });
      found.equal('configure attributes: status', configured.status, 202);

      const first = await call('POST', '/parcel/batch', { payload: [{ attributes: { zone: 'north' } }, { attributes: {} }] });
      const second = await call('POST', '/parcel/batch', { payload: [{ attributes: { zone: 'south' } }] });
      found.equal('two submits with one request id: statuses', [first.status, second.status], [202, 202]);
      found.equal('two submits with one request id: two batches', first.body.data?.id !== undefined && first.body.data.id !== second.body.data?.id, true);

      // Was 1500 polls 20 ms apart, at least 30 s.
      const status = async (id: string) => {
        const answer = await eventually(
          async () => {
            const current = await call('GET', `/parcel/batch/status?batchId=${id}`);
            expect(current.status).toBe(200);
            return current;
          },
          {
            timeoutMs: 45_000,
            intervalMs: 20,
            what: `batch ${id} to finish`,
            until: (current) => TERMINAL.includes((current.body.data as { meta: { status: string } }).meta.status),
          },
        );
        found.valid('a finished batch status', 'ContainerBatchResponse', answer.body);
        return answer.body.data as { meta: { status: string }; errors: Array<{ refID: string; code: string }> };
      };
      if (first.status === 202) {
        // validation.required holds: the item without a zone fails, named by its position.
        const firstDone = await status(first.body.data!.id!);
        found.equal(
          'first batch: failed items',
          firstDone.errors.map((e) => [e.refID, e.code]),
          [['2', 'ATTRIBUTE_INVALID']],
        );
      }
      if (second.status === 202) found.equal('second batch: status', (await status(second.body.data!.id!)).meta.status, 'SUCCESS');
      expect(found.list).toEqual([]);
    }, 60_000);
  });
});
