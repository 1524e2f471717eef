// The Postman collection of docs/examples: the OpenAPI document converted (postman-collection.ts)
// with the sample files of that folder as the bodies, the variables people set once (base URL,
// tenant, token) and a script that keeps the last batch id and container id for the next request.
// The build writes it (write-postman-collection.ts); a test fails when the committed one is stale.
import fs from 'node:fs';
import path from 'node:path';
import { ExampleBody, OpenApiLike, PostmanCollection, collectionText, postmanCollection } from './postman-collection';

export const COLLECTION_FILE = 'container-service.postman_collection.json';
const BASE = '/core/api/v2/containers';

/** The routes whose bodies come from sample files of the examples folder (files named relative to it). */
function exampleBodies(examplesDir: string): Record<string, ExampleBody> {
  const read = (file: string) => fs.readFileSync(path.join(examplesDir, file), 'utf8').trimEnd();
  const type = JSON.parse(read('bag-type.json')) as { attributes: unknown };
  const update = { payload: [{ containerId: '{{containerId}}', data: { attributes: { weight: 4, colour: 'blue' } } }] };
  return {
    [`POST ${BASE}/container-types`]: { kind: 'json', text: read('bag-type.json') },
    [`PUT ${BASE}/container-types/{name}/config/attributes`]: { kind: 'json', text: JSON.stringify({ attributes: type.attributes }, null, 2) },
    [`POST ${BASE}/{containerType}/batch`]: { kind: 'json', text: read('bag-batch.json') },
    [`PUT ${BASE}/{containerType}/batch`]: { kind: 'json', text: JSON.stringify(update, null, 2) },
    [`POST ${BASE}/{containerType}/batch/upload`]: { kind: 'form', fields: [{ key: 'file', file: 'bag-create.csv' }] },
    [`PUT ${BASE}/{containerType}/batch/upload`]: { kind: 'form', fields: [{ key: 'file', file: 'bag-update.csv' }] },
  };
}

// Runs after every request: a submit's batch id and a status answer's first container id become
// the collection's batchId and containerId, so status, results and the update requests follow on.
const AFTER_EACH_REQUEST = [
  'let data = null;',
  'try { data = pm.response.json().data; } catch (e) { /* not JSON: a CSV or an event stream */ }',
  "if (data && typeof data.id === 'string' && data.id.startsWith('batch:')) pm.collectionVariables.set('batchId', data.id);",
  "if (data && Array.isArray(data.success) && data.success[0] && data.success[0].id) pm.collectionVariables.set('containerId', data.success[0].id);",
];

export function examplesCollection(document: OpenApiLike, examplesDir: string): PostmanCollection {
  return postmanCollection(document, {
    bodies: exampleBodies(examplesDir),
    variables: { baseUrl: 'http://localhost:3000', tenant: 'demo', token: '', containerType: 'bag', batchId: '', containerId: '' },
    parameterVariables: { containerType: 'containerType', name: 'containerType', batchId: 'batchId', containerId: 'containerId' },
    headerValues: { 'X-COREOS-REQUEST-ID': '{{$guid}}', 'X-COREOS-TID': '{{tenant}}', 'X-COREOS-ACCESS': '{{token}}' },
    afterEachRequest: AFTER_EACH_REQUEST,
  });
}

/** The collection's text for the OpenAPI file and examples folder given. */
export function examplesCollectionText(openApiFile: string, examplesDir: string): string {
  return collectionText(examplesCollection(JSON.parse(fs.readFileSync(openApiFile, 'utf8')) as OpenApiLike, examplesDir));
}
