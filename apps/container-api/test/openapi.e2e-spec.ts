// The OpenAPI document as tools use it: the committed docs/openapi.json is the served one, it
// passes Redocly's lint (redocly.yaml), every operation has a readable operationId and says which
// credentials it needs, the error codes are those the error filter answers, and a request built
// only from what the document says (as Swagger UI's "Try it out" builds it) is answered.
/* eslint-disable @typescript-eslint/no-explicit-any -- the document is plain JSON */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { HTTP_STATUS_OF, HTTP_STATUS_OF_OS1 } from '../src/http/error-codes';
import { openApiText } from '../src/http/openapi-document';
import { expectStatus } from './support/answers';
import { defineType } from './support/container-types';
import { operationsOf } from './support/openapi';
import { BASE, TestApp, startTestApp } from './support/test-app';

const ROOT = path.resolve(__dirname, '../../..');
const COMMITTED = path.join(ROOT, 'docs/openapi.json');

/** The error codes named in an error response's description (each in backticks). */
const codesIn = (description: string): string[] => [...description.matchAll(/`([A-Z_0-9]+)`/g)].map((m) => m[1] ?? '');

const statusOf = (code: string): number | undefined => (HTTP_STATUS_OF as Record<string, number>)[code] ?? (HTTP_STATUS_OF_OS1 as Record<string, number>)[code];

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    // The upload below names a callback on this machine, where no one listens: it is only stored.
    t = await startTestApp({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' });
    doc = (await t.request('/docs-json')).body;
    await defineType(t, { name: 'bag', isLeaf: false, attributes: [{ name: 'weight', dataType: 'number' }] });
  }, 30_000);
  afterAll(async () => {
    await t.close();
  });

  it('is committed as docs/openapi.json as the service serves it', () => {
    const committed = fs.readFileSync(COMMITTED, 'utf8');
    const served = openApiText(doc);
    if (served !== committed) {
      const lines = committed.split('\n');
      const at = served.split('\n').findIndex((line, i) => line !== lines[i]);
      throw new Error(`docs/openapi.json is stale (first difference at line ${at + 1}): run \`npm run build\`, which writes it, and commit docs/openapi.json.`);
    }
  });

  it('passes the Redocly lint with no error', () => {
    const run = spawnSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', 'docs/openapi.json', '--format=json'], { cwd: ROOT, encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { totals: { errors: number }; problems: { ruleId: string; severity: string; message: string }[] };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(run.status).toBe(0);
  }, 60_000);

  it('gives a typed client to openapi-typescript (the generator of packages/client), with an operation per operationId', async () => {
    // openapi-typescript runs its own lint first and refuses a document that fails it.
    const types = astToString(await openapiTS(pathToFileURL(COMMITTED)));
    expect(types).toContain('submitBatch: {');
    expect(types).toContain('ErrorCode: "MISSING_HEADER"');
  }, 60_000);

  it('names every operation with a unique camelCase operationId and a tag, and describes every answer', () => {
    const operations = operationsOf(doc);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter(({ operation }) => !(operation.tags?.length > 0)).map(({ path }) => path)).toEqual([]);
    const undescribed = operations.flatMap(({ operation }) =>
      Object.entries<any>(operation.responses)
        .filter(([, response]) => !response.description)
        .map(([status]) => `${operation.operationId} ${status}`),
    );
    expect(undescribed).toEqual([]);
    expect(ids).toEqual(
      expect.arrayContaining([
        'submitBatch',
        'uploadBatchFile',
        'getBatchStatus',
        'listBatchResults',
        'streamBatchEvents',
        'getUploadTemplate',
        'createContainerType',
      ]),
    );
  });

  it('requires the three identity headers, as API keys, on every API route and on nothing else', () => {
    const schemes = doc.components.securitySchemes;
    expect(Object.values(schemes).map((s: any) => [s.type, s.in, s.name])).toEqual([
      ['apiKey', 'header', 'X-COREOS-REQUEST-ID'],
      ['apiKey', 'header', 'X-COREOS-TID'],
      ['apiKey', 'header', 'X-COREOS-ACCESS'],
    ]);
    for (const { path: route, operation } of operationsOf(doc)) {
      const expected = route.startsWith(`${BASE}/`) ? [Object.fromEntries(Object.keys(schemes).map((name) => [name, []]))] : [];
      expect({ route, security: operation.security }).toEqual({ route, security: expected });
      // Not also as parameters: Swagger UI would ask for them again on every operation.
      const identity = (operation.parameters ?? []).filter((p: any) => p.in === 'header' && /^X-COREOS-(REQUEST-ID|TID|ACCESS)$/.test(p.name));
      expect(identity).toEqual([]);
    }
  });

  it("lists as error codes exactly the error filter's codes", () => {
    expect(doc.components.schemas.ErrorCode.enum).toEqual([...Object.keys(HTTP_STATUS_OF), ...Object.keys(HTTP_STATUS_OF_OS1)]);
    expect(doc.components.schemas.ErrorName.enum).toEqual(Object.keys(HTTP_STATUS_OF));
  });

  it("documents each operation's error answers under the status the filter sends them with", () => {
    for (const { path: route, operation } of operationsOf(doc).filter(({ path }) => path.startsWith(`${BASE}/`))) {
      const errors = Object.entries<any>(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['400', '401', '503']));
      for (const [status, response] of errors) {
        expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorEnvelopeDto' });
        const codes = codesIn(response.description);
        expect({ route, status, codes: codes.map(statusOf) }).toEqual({ route, status, codes: codes.map(() => Number(status)) });
        expect(response.headers['X-COREOS-REQUEST-ID']).toBeDefined();
      }
      expect(operation.responses['503'].headers['Retry-After']).toBeDefined();
    }
  });

  it('describes the submit answers with their headers and the callback they lead to', () => {
    for (const id of ['submitBatch', 'submitUpdateBatch', 'uploadBatchFile', 'uploadUpdateBatchFile']) {
      const { operation } = operationsOf(doc).find(({ operation }) => operation.operationId === id)!;
      expect(Object.keys(operation.responses['202'].headers)).toEqual(
        expect.arrayContaining(['Location', 'Retry-After', 'Idempotent-Replayed', 'X-COREOS-REQUEST-ID']),
      );
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['404', '413', '415', '422']));
      const callback = operation.callbacks.batchFinished['{$request.body#/callback/url}'].post;
      expect(callback.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BatchCallbackDto' });
      expect(callback.parameters.map((p: any) => p.name)).toEqual(['X-COREOS-REQUEST-ID', 'X-COREOS-TID', 'X-COREOS-TIMESTAMP', 'X-COREOS-HMAC-SIGNATURE']);
    }
  });

  it('describes the downloads and the event stream with their content types', () => {
    const byId = (id: string) => operationsOf(doc).find(({ operation }) => operation.operationId === id)!.operation;
    expect(Object.keys(byId('listBatchResults').responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(byId('getUploadTemplate').responses['200'].content)).toEqual(['text/csv']);
    expect(Object.keys(byId('streamBatchEvents').responses['200'].content)).toEqual(['text/event-stream']);
    expect(byId('getBatchStatus').responses['200'].headers['Retry-After']).toBeDefined();
  });

  it('documents the error answers the service gives, under their status', async () => {
    const missing = 'batch:00000000-0000-4000-8000-000000000000';
    const cases: [string, string, { method?: string; body?: unknown; rawBody?: string; contentType?: string }][] = [
      ['getBatchStatus', `${BASE}/bag/batch/status?batchId=nope`, {}],
      ['getBatchStatus', `${BASE}/bag/batch/status?batchId=${missing}`, {}],
      ['getBatchStatus', `${BASE}/bag/batch/status?batchId=${missing}&wait=99`, {}],
      ['cancelBatch', `${BASE}/bag/batch/cancel?batchId=${missing}`, { method: 'POST' }],
      ['listBatchResults', `${BASE}/bag/batch/results?batchId=${missing}&cursor=x`, {}],
      ['submitBatch', `${BASE}/nope/batch`, { method: 'POST', body: { payload: [{}] } }],
      ['submitBatch', `${BASE}/bag/batch`, { method: 'POST', body: { payload: [] } }],
      ['submitBatch', `${BASE}/bag/batch`, { method: 'POST', rawBody: 'x', contentType: 'text/plain' }],
      ['uploadBatchFile', `${BASE}/bag/batch/upload`, { method: 'POST', body: { payload: [] } }],
      ['getUploadTemplate', `${BASE}/nope/batch/upload/template`, {}],
      ['createContainerType', `${BASE}/container-types`, { method: 'POST', body: { name: 'bag' } }],
      ['getContainerType', `${BASE}/container-types/nope`, {}],
      ['getContainer', `${BASE}/bag/bag:nope`, {}],
    ];
    for (const [id, target, options] of cases) {
      const answer = await t.request(target, { ...options, headers: await t.headers() });
      const { operation } = operationsOf(doc).find(({ operation }) => operation.operationId === id)!;
      const documented = operation.responses[String(answer.status)];
      expect({ id, target, status: answer.status, code: answer.body.error.code, documented: documented && codesIn(documented.description) }).toEqual({
        id,
        target,
        status: answer.status,
        code: answer.body.error.code,
        documented: expect.arrayContaining([answer.body.error.code]),
      });
    }
  }, 30_000);

  describe('a request built from the document alone, as Swagger UI builds it', () => {
    /** The headers Authorize sets: one value per security scheme. */
    const authorized = async () => {
      const values: Record<string, string> = await t.headers();
      return Object.fromEntries(Object.values<any>(doc.components.securitySchemes).map((scheme) => [scheme.name, values[scheme.name] ?? '']));
    };

    it('uploads a file through the form the document describes, and reads the batch back', async () => {
      const upload = operationsOf(doc).find(({ operation }) => operation.operationId === 'uploadBatchFile')!;
      const form = upload.operation.requestBody.content['multipart/form-data'].schema;
      expect(form.required).toEqual(['file']);
      expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
      expect(Object.keys(form.properties)).toEqual(['file', 'callback']);
      const body = new FormData();
      body.append('file', new Blob(['refID,attributes.weight\nr-1,2\n'], { type: 'text/csv' }), 'bags.csv');
      body.append('callback', JSON.stringify({ url: 'http://127.0.0.1:9/hooks', meta: { run: 1 } }));
      const answer = await t.request(upload.path.replace('{containerType}', 'bag'), { method: 'POST', headers: await authorized(), form: body });
      expectStatus(answer, 202);
      expect(Object.keys(upload.operation.responses['202'].headers).map((h) => h.toLowerCase())).toEqual(
        expect.arrayContaining([...answer.headers.keys()].filter((h) => ['location', 'retry-after', 'x-coreos-request-id'].includes(h))),
      );

      const status = operationsOf(doc).find(({ operation }) => operation.operationId === 'getUploadBatchStatus')!;
      const read = await t.request(`${status.path.replace('{containerType}', 'bag')}?batchId=${answer.body.data.id}`, { headers: await authorized() });
      expectStatus(read, 200);
      expect(answer.headers.get('location')).toBe(`${status.path.replace('{containerType}', 'bag')}?batchId=${answer.body.data.id}`);
    }, 30_000);
  });
});
