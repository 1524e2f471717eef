// Turns the service's OpenAPI document into a Postman collection (format v2.1), committed as
// docs/examples/container-service.postman_collection.json and rewritten by the build
// (write-postman-collection.ts). Written here rather than taken from a converter package: the
// mapping is small, and the document is ours.
//
// It reads only what an OpenAPI 3 document has whatever produced it, so that it keeps working as
// the document grows: a request is named by its operationId when that is a readable name (not the
// `<Class>Controller_<method>` one the framework makes up), else by method and path; headers come
// from header parameters and from apiKey security schemes in headers, whichever the document has.
// Bodies come from the example files when one is given for the route, else from the document.

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

/** The parts of an OpenAPI 3 document the conversion reads; everything else is ignored. */
export interface OpenApiLike {
  readonly info?: { readonly title?: string; readonly description?: string; readonly version?: string };
  readonly servers?: readonly { readonly url?: string }[];
  readonly tags?: readonly { readonly name: string; readonly description?: string }[];
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly components?: { readonly securitySchemes?: Readonly<Record<string, unknown>> };
}

interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: Schema }>> };
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly example?: unknown;
  readonly schema?: Schema;
}

interface Schema {
  readonly type?: string;
  readonly format?: string;
  readonly default?: unknown;
  readonly example?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
}

/** A body given for one route: JSON text, or multipart fields (files named relative to the collection). */
export type ExampleBody =
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'form'; readonly fields: readonly ({ readonly key: string; readonly file: string } | { readonly key: string; readonly text: string })[] };

export interface CollectionOptions {
  /** Example bodies by route, keyed `METHOD /path` as the document spells the path. */
  readonly bodies?: Readonly<Record<string, ExampleBody>>;
  /** Values of the collection's variables (baseUrl, tenant, token, ...), in this order. */
  readonly variables: Readonly<Record<string, string>>;
  /** Collection variables by path or query parameter name, e.g. containerType → containerType. */
  readonly parameterVariables: Readonly<Record<string, string>>;
  /** Values of known headers, e.g. X-COREOS-TID → {{tenant}}; matched without regard to case. */
  readonly headerValues: Readonly<Record<string, string>>;
  /** Lines of a test script run after every request (Postman's `pm` API). */
  readonly afterEachRequest?: readonly string[];
}

// Postman's v2.1 shapes, as far as the collection uses them.
interface KeyValue {
  key: string;
  value: string;
  disabled?: boolean;
  description?: string;
}
interface PostmanUrl {
  raw: string;
  host: string[];
  path: string[];
  query?: KeyValue[];
  variable?: KeyValue[];
}
type PostmanBody =
  | { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } }
  | { mode: 'formdata'; formdata: ({ key: string; type: 'file'; src: string } | { key: string; type: 'text'; value: string; disabled?: boolean })[] };
export interface PostmanRequestItem {
  name: string;
  request: { method: string; description?: string; header: KeyValue[]; url: PostmanUrl; body?: PostmanBody };
}
export interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanRequestItem[];
}
export interface PostmanCollection {
  info: { name: string; description?: string; schema: string };
  item: PostmanFolder[];
  event?: { listen: 'test'; script: { type: 'text/javascript'; exec: string[] } }[];
  variable: KeyValue[];
}

const METHODS: ReadonlySet<string> = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const UNTAGGED = 'other';

/** A name a person would choose; the framework's made-up `XController_y[0]` ids are not. */
function readableOperationId(id: string | undefined): string | undefined {
  return id !== undefined && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(id) && !/Controller_/.test(id) ? id : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The header names the operation's security asks for, from apiKey schemes in headers. */
function securityHeaders(document: OpenApiLike, operation: Operation): string[] {
  const schemes = document.components?.securitySchemes ?? {};
  const requirements = operation.security ?? document.security ?? [];
  const names: string[] = [];
  for (const requirement of requirements)
    for (const schemeName of Object.keys(requirement)) {
      const scheme = schemes[schemeName];
      if (isRecord(scheme) && scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string') names.push(scheme.name);
    }
  return names;
}

function lookup(values: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(values).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : values[key];
}

function headersOf(document: OpenApiLike, operation: Operation, options: CollectionOptions): KeyValue[] {
  const headers: KeyValue[] = [];
  const add = (name: string, required: boolean, description: string | undefined) => {
    if (headers.some((header) => header.key.toLowerCase() === name.toLowerCase())) return;
    const known = lookup(options.headerValues, name);
    headers.push({
      key: name,
      value: known ?? '',
      // Optional headers are listed for people to switch on; sent empty they would be refused.
      ...(required || known !== undefined ? {} : { disabled: true }),
      ...(description !== undefined ? { description } : {}),
    });
  };
  for (const name of securityHeaders(document, operation)) add(name, true, undefined);
  for (const parameter of operation.parameters ?? []) if (parameter.in === 'header') add(parameter.name, parameter.required === true, parameter.description);
  return headers;
}

function exampleValue(parameter: Parameter): string {
  const value = parameter.example ?? parameter.schema?.example ?? parameter.schema?.default ?? parameter.schema?.enum?.[0];
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

function urlOf(path: string, operation: Operation, options: CollectionOptions): PostmanUrl {
  const variableFor = (name: string) => options.parameterVariables[name];
  const segments = path.split('/').filter((segment) => segment !== '');
  const pathVariables: KeyValue[] = [];
  const postmanPath = segments.map((segment) => {
    const parameter = /^\{(.+)\}$/.exec(segment)?.[1];
    if (parameter === undefined) return segment;
    const variable = variableFor(parameter);
    pathVariables.push({ key: parameter, value: variable !== undefined ? `{{${variable}}}` : '' });
    return `:${parameter}`;
  });
  const query: KeyValue[] = (operation.parameters ?? [])
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) => {
      const variable = variableFor(parameter.name);
      const value = variable !== undefined ? `{{${variable}}}` : exampleValue(parameter);
      return { key: parameter.name, value, ...(parameter.required === true ? {} : { disabled: true }) };
    });
  const enabled = query.filter((parameter) => parameter.disabled !== true);
  const raw = `{{baseUrl}}/${postmanPath.join('/')}${enabled.length > 0 ? `?${enabled.map((q) => `${q.key}=${q.value}`).join('&')}` : ''}`;
  return {
    raw,
    host: ['{{baseUrl}}'],
    path: postmanPath,
    ...(query.length > 0 ? { query } : {}),
    ...(pathVariables.length > 0 ? { variable: pathVariables } : {}),
  };
}

function bodyOf(key: string, operation: Operation, options: CollectionOptions): PostmanBody | undefined {
  const given = options.bodies?.[key];
  if (given?.kind === 'json') return { mode: 'raw', raw: given.text, options: { raw: { language: 'json' } } };
  if (given?.kind === 'form')
    return {
      mode: 'formdata',
      formdata: given.fields.map((field) =>
        'file' in field ? { key: field.key, type: 'file', src: field.file } : { key: field.key, type: 'text', value: field.text },
      ),
    };
  const content = operation.requestBody?.content ?? {};
  const multipart = content['multipart/form-data']?.schema;
  if (multipart !== undefined) {
    const required = multipart.required ?? [];
    return {
      mode: 'formdata',
      formdata: Object.entries(multipart.properties ?? {}).map(([name, schema]) =>
        schema.format === 'binary'
          ? { key: name, type: 'file', src: '' }
          : { key: name, type: 'text', value: '', ...(required.includes(name) ? {} : { disabled: true }) },
      ),
    };
  }
  const json = Object.entries(content).find(([type]) => type === 'application/json' || type.endsWith('+json'))?.[1]?.schema;
  if (json !== undefined) return { mode: 'raw', raw: JSON.stringify(json.example ?? {}, null, 2), options: { raw: { language: 'json' } } };
  return undefined;
}

/** The collection for `document`: one folder per tag (in the document's tag order), requests in path order. */
export function postmanCollection(document: OpenApiLike, options: CollectionOptions): PostmanCollection {
  const folders = new Map<string, PostmanFolder>();
  for (const tag of document.tags ?? []) folders.set(tag.name, { name: tag.name, ...(tag.description ? { description: tag.description } : {}), item: [] });
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    // In the document's order (`parameters`, `summary` and other path-level keys are not methods).
    for (const [method, found] of Object.entries(pathItem)) {
      if (!METHODS.has(method) || !isRecord(found)) continue;
      const operation = found as Operation;
      const key = `${method.toUpperCase()} ${path}`;
      const description = [operation.summary, operation.description].filter((text) => text !== undefined && text !== '').join('\n\n');
      const body = bodyOf(key, operation, options);
      const item: PostmanRequestItem = {
        name: readableOperationId(operation.operationId) ?? key,
        request: {
          method: method.toUpperCase(),
          ...(description !== '' ? { description } : {}),
          header: headersOf(document, operation, options),
          url: urlOf(path, operation, options),
          ...(body !== undefined ? { body } : {}),
        },
      };
      const tag = operation.tags?.[0] ?? UNTAGGED;
      const folder = folders.get(tag) ?? { name: tag, item: [] };
      folders.set(tag, folder);
      folder.item.push(item);
    }
  }
  const description = [document.info?.description, document.info?.version !== undefined ? `API version ${document.info.version}.` : undefined]
    .filter((text) => text !== undefined)
    .join(' ');
  return {
    info: { name: document.info?.title ?? 'API', ...(description !== '' ? { description } : {}), schema: POSTMAN_SCHEMA },
    item: [...folders.values()].filter((folder) => folder.item.length > 0),
    ...(options.afterEachRequest !== undefined && options.afterEachRequest.length > 0
      ? { event: [{ listen: 'test' as const, script: { type: 'text/javascript' as const, exec: [...options.afterEachRequest] } }] }
      : {}),
    variable: Object.entries(options.variables).map(([key, value]) => ({ key, value })),
  };
}

/** The committed form: two-space JSON and a final newline. */
export const collectionText = (collection: PostmanCollection): string => `${JSON.stringify(collection, null, 2)}\n`;
