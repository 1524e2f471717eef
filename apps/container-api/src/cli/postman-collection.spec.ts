import { OpenApiLike, POSTMAN_SCHEMA, postmanCollection } from './postman-collection';

const OPTIONS = {
  variables: { baseUrl: 'http://localhost:3000', tenant: 'demo', token: '', batchId: '' },
  parameterVariables: { batchId: 'batchId', containerType: 'containerType' },
  headerValues: { 'x-coreos-tid': '{{tenant}}', 'X-COREOS-ACCESS': '{{token}}' },
};

const operation = (extra: Record<string, unknown> = {}) => ({ summary: 'Status of a batch', tags: ['batches'], ...extra });

describe('postmanCollection', () => {
  it('names a request by a readable operationId, else by method and path (the framework-made ids are not readable)', () => {
    const document: OpenApiLike = {
      paths: {
        '/{containerType}/batch/status': { get: operation({ operationId: 'getBatchStatus' }) },
        '/{containerType}/batch': { post: operation({ operationId: 'BatchSubmitController_create' }) },
        '/{containerType}/batch/upload/status': { get: operation({ operationId: 'BatchStatusController_status[1]' }) },
        '/health': { get: {} },
      },
    };
    const collection = postmanCollection(document, OPTIONS);
    expect(collection.item.map((folder) => [folder.name, folder.item.map((item) => item.name)])).toEqual([
      ['batches', ['getBatchStatus', 'POST /{containerType}/batch', 'GET /{containerType}/batch/upload/status']],
      ['other', ['GET /health']],
    ]);
    expect(collection.info.schema).toBe(POSTMAN_SCHEMA);
    expect(collection.variable).toEqual(Object.entries(OPTIONS.variables).map(([key, value]) => ({ key, value })));
  });

  it('turns path and query parameters into variables: required ones on, optional ones listed but off', () => {
    const document: OpenApiLike = {
      paths: {
        '/{containerType}/batch/status': {
          get: operation({
            parameters: [
              { name: 'containerType', in: 'path', required: true },
              { name: 'wait', in: 'query', schema: { type: 'integer' } },
              { name: 'batchId', in: 'query', required: true },
            ],
          }),
        },
      },
    };
    const url = postmanCollection(document, OPTIONS).item[0]!.item[0]!.request.url;
    expect(url).toEqual({
      raw: '{{baseUrl}}/:containerType/batch/status?batchId={{batchId}}',
      host: ['{{baseUrl}}'],
      path: [':containerType', 'batch', 'status'],
      query: [
        { key: 'wait', value: '', disabled: true },
        { key: 'batchId', value: '{{batchId}}' },
      ],
      variable: [{ key: 'containerType', value: '{{containerType}}' }],
    });
  });

  it('sends the headers of header parameters and of apiKey security schemes once each, known ones filled in, optional ones off', () => {
    const document: OpenApiLike = {
      security: [{ tenant: [], access: [] }],
      components: {
        securitySchemes: {
          tenant: { type: 'apiKey', in: 'header', name: 'X-COREOS-TID' },
          access: { type: 'apiKey', in: 'header', name: 'X-COREOS-ACCESS' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      paths: {
        '/a': {
          get: operation({
            parameters: [
              { name: 'X-COREOS-TID', in: 'header', required: true },
              { name: 'X-COREOS-USERINFO', in: 'header', description: 'who acted' },
            ],
          }),
        },
      },
    };
    expect(postmanCollection(document, OPTIONS).item[0]!.item[0]!.request.header).toEqual([
      { key: 'X-COREOS-TID', value: '{{tenant}}' },
      { key: 'X-COREOS-ACCESS', value: '{{token}}' },
      { key: 'X-COREOS-USERINFO', value: '', disabled: true, description: 'who acted' },
    ]);
  });

  it('takes a given example body for its route, else the multipart fields or JSON example of the document', () => {
    const document: OpenApiLike = {
      paths: {
        '/upload': {
          post: operation(),
          put: operation({
            requestBody: {
              content: {
                'multipart/form-data': {
                  schema: { required: ['file'], properties: { file: { type: 'string', format: 'binary' }, callback: { type: 'string' } } },
                },
              },
            },
          }),
        },
        '/json': { post: operation({ requestBody: { content: { 'application/json': { schema: { example: { payload: [] } } } } } }) },
      },
    };
    const requests = postmanCollection(document, {
      ...OPTIONS,
      bodies: { 'POST /upload': { kind: 'form', fields: [{ key: 'file', file: 'bag-create.csv' }] } },
    }).item[0]!.item.map((item) => item.request.body);
    expect(requests).toEqual([
      { mode: 'formdata', formdata: [{ key: 'file', type: 'file', src: 'bag-create.csv' }] },
      {
        mode: 'formdata',
        formdata: [
          { key: 'file', type: 'file', src: '' },
          { key: 'callback', type: 'text', value: '', disabled: true },
        ],
      },
      { mode: 'raw', raw: '{\n  "payload": []\n}', options: { raw: { language: 'json' } } },
    ]);
  });
});
