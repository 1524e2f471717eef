// Guards contract §2, §11 and §13 against hostile requests of every shape: a property-based fuzz
// over real HTTP (raw sockets, so no client normalises what is sent) against every route of the
// built service running as a child process. For every answer: no 5xx but 503 (with Retry-After);
// errors in the §2 envelope with `request`; X-COREOS-REQUEST-ID echoed exactly when a valid one was
// sent; no stack, SQL or file path; a request without a valid token never reaches a handler (never
// 2xx, never 5xx); a too-deep JSON body is never a 5xx; the echo of a body stays summarised past
// 16 KiB. Afterwards: nothing was stored for a tenant that never sent a valid token, and the
// process's memory is back near where it started.
// Seeded: FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> scales it, FUZZ_COLLECT=1 runs every case
// and lists every kind of violation instead of stopping (and shrinking) at the first.
import { Database } from '@container-service/persistence-typeorm';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NoAnswer, RawResponse, rawRequest } from './support/raw-http';
import { Running, kill, residentBytes, start } from './support/service-process';
import { BASE, TEST_SECRET } from './support/test-app';
import { ACCEPTED_TOKENS, TokenKind, tokenCache } from './support/tokens';

const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const RUNS = Number(process.env.FUZZ_RUNS ?? 900);
const COLLECT = process.env.FUZZ_COLLECT === '1';
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// What a generated request is: small values that render to bytes, so a counterexample prints short.

type Family = 'spelling' | 'headers' | 'bodies';

interface HeaderSpec {
  requestId: { kind: 'valid' | 'invalid' | 'missing'; value: string };
  tenant: { kind: 'acme' | 'victim' | 'random' | 'invalid' | 'missing' | 'twice'; value: string };
  token: TokenKind | 'missing';
  contentType: string | null;
  extra: Array<[string, string]>;
}

type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; value: string }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' | 'mixed'; inItem: boolean }
  | { kind: 'big'; bytes: number; withLength: boolean }
  | {
      kind: 'multipart';
      boundary: string;
      sentBoundary: string | null;
      parts: Array<{ name: string; filename: string | null; type: string | null; content: string }>;
      close: boolean;
    }
  | { kind: 'bytes'; value: number[] };

interface RequestSpec {
  family: Family;
  method: string;
  /** Whether the path, as the client meant it, names something under the API prefix. */
  api: boolean;
  target: string;
  headers: HeaderSpec;
  body: BodySpec;
  chunks: number[] | null;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const TYPES = ['bag', 'box', 'victim'] as const;
const seeded = { acmeBatch: '', victimBatch: '' };

const printable = (min: number, max: number) =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
const letters = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z]{${min},${max}}$`));
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });

const typeParam = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TYPES) },
  { weight: 2, arbitrary: letters(3, 16) },
  { weight: 1, arbitrary: letters(1, 2) },
  { weight: 1, arbitrary: fc.integer({ min: 17, max: 2000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: unicode.map(encodeURIComponent) },
  { weight: 1, arbitrary: printable(1, 40).map(encodeURIComponent) },
);

const batchIdValue = fc.oneof(
  { weight: 3, arbitrary: fc.constant('<acme>') },
  { weight: 2, arbitrary: fc.constant('<victim>') },
  { weight: 3, arbitrary: fc.uuid().map((u) => `batch:${u}`) },
  { weight: 1, arbitrary: fc.uuid().map((u) => `batch:${u.toUpperCase()}`) },
  { weight: 2, arbitrary: printable(0, 80).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('batch:', 'batch%3A', '%ff', '%', 'batch:../../x', `batch:${'0'.repeat(300)}`) },
);

const queryPair = fc.oneof(
  fc.tuple(fc.constant('batchId'), batchIdValue),
  fc.tuple(fc.constantFrom('limit', 'wait'), fc.constantFrom('0', '1', '50', '5001', '-1', '1e3', 'NaN', '', '99999999999999999999', '0x10')),
  fc.tuple(fc.constant('outcome'), fc.constantFrom('success', 'failed', 'cancelled', 'SUCCESS', '', 'x')),
  fc.tuple(fc.constant('status'), fc.constantFrom('QUEUED', 'SUCCESS', 'nope', '')),
  fc.tuple(fc.constant('operation'), fc.constantFrom('create', 'update', 'x')),
  fc.tuple(fc.constant('cursor'), fc.oneof(printable(0, 60).map(encodeURIComponent), fc.constant('eyJ4IjoxfQ'))),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', '__proto__[x]', 'a[b][c]', 'batchId[]'), printable(0, 10).map(encodeURIComponent)),
  fc.tuple(printable(1, 10).map(encodeURIComponent), printable(0, 20).map(encodeURIComponent)),
);
const query = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.array(queryPair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')) },
  { weight: 1, arbitrary: fc.constantFrom('&&&', '=', 'batchId', '%ff', 'a=%', `x=${'y'.repeat(2000)}`) },
);

interface Route {
  method: string;
  path: string;
  api: boolean;
  body: 'json' | 'multipart' | null;
}
const ROUTES: Route[] = [
  { method: 'POST', path: '/{type}/batch', api: true, body: 'json' },
  { method: 'PUT', path: '/{type}/batch', api: true, body: 'json' },
  { method: 'POST', path: '/{type}/batch/upload', api: true, body: 'multipart' },
  { method: 'PUT', path: '/{type}/batch/upload', api: true, body: 'multipart' },
  { method: 'GET', path: '/{type}/batch/status', api: true, body: null },
  { method: 'GET', path: '/{type}/batch/upload/status', api: true, body: null },
  { method: 'GET', path: '/{type}/batch/results', api: true, body: null },
  { method: 'GET', path: '/{type}/batch/events', api: true, body: null },
  { method: 'GET', path: '/{type}/batch/upload/template', api: true, body: null },
  { method: 'POST', path: '/{type}/batch/cancel', api: true, body: null },
  { method: 'POST', path: '/{type}/batch/retry', api: true, body: null },
  { method: 'GET', path: '/{type}/batches', api: true, body: null },
  { method: 'POST', path: '/container-types', api: true, body: 'json' },
  { method: 'GET', path: '/container-types', api: true, body: null },
  { method: 'GET', path: '/container-types/{type}', api: true, body: null },
  { method: 'GET', path: '/container-types/{type}/config/attributes', api: true, body: null },
  { method: 'PUT', path: '/container-types/{type}/config/attributes', api: true, body: 'json' },
  { method: 'GET', path: '/{type}/{id}', api: true, body: null },
  { method: 'GET', path: '', api: true, body: null },
  { method: 'GET', path: '/health', api: false, body: null },
  { method: 'GET', path: '/health/ready', api: false, body: null },
  { method: 'GET', path: '/docs-json', api: false, body: null },
  { method: 'GET', path: '/', api: false, body: null },
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH'];

const routeArb = fc.constantFrom(...ROUTES);
const methodFor = (route: Route) => fc.oneof({ weight: 8, arbitrary: fc.constant(route.method) }, { weight: 2, arbitrary: fc.constantFrom(...METHODS) });

/** A route's path with its parameters filled in. */
const filledPath = (route: Route) =>
  fc
    .tuple(
      typeParam,
      fc.oneof(
        fc.uuid().map((u) => `bag:${u}`),
        printable(1, 60).map(encodeURIComponent),
      ),
    )
    .map(([type, id]) => {
      const relative = route.path.replace('{type}', type).replace('{id}', id);
      return route.api ? `${BASE}${relative}` : relative;
    });

type Spelling =
  | { kind: 'encode'; at: number; lower: boolean }
  | { kind: 'dot' | 'dotdot' | 'double' | 'encoded-slash' | 'case' | 'semicolon' | 'long'; at: number; n: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'trailing' };

const spelling: fc.Arbitrary<Spelling> = fc.oneof(
  fc.record({ kind: fc.constant('encode' as const), at: fc.nat(), lower: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom('dot' as const, 'dotdot' as const, 'double' as const, 'encoded-slash' as const, 'case' as const, 'semicolon' as const),
    at: fc.nat(),
    n: fc.nat(3),
  }),
  fc.record({ kind: fc.constant('long' as const), at: fc.nat(), n: fc.integer({ min: 100, max: 3000 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom('%ff%fe', '%', '%zz', '%c0%af', '%e2%82', '%00', '%2', '%%', '%ed%a0%80', '%2e%2e', '%2e', '%5c', '\\', '@', ':', '~', '!', '$'),
      unicode.map(encodeURIComponent),
    ),
  }),
  fc.constant({ kind: 'trailing' as const }),
);

function respell(pathname: string, steps: Spelling[]): string {
  let out = pathname;
  for (const step of steps) {
    const slashes = [...out.matchAll(/\//g)].map((m) => m.index);
    const slash = slashes.length ? slashes[('at' in step ? step.at : 0) % slashes.length]! : 0;
    switch (step.kind) {
      case 'encode': {
        const chars = [...out.matchAll(/[A-Za-z0-9.\-_~]/g)].map((m) => m.index);
        if (!chars.length) break;
        const i = chars[step.at % chars.length]!;
        const hex = out.charCodeAt(i).toString(16).padStart(2, '0');
        out = `${out.slice(0, i)}%${step.lower ? hex : hex.toUpperCase()}${out.slice(i + 1)}`;
        break;
      }
      case 'dot':
        out = `${out.slice(0, slash)}/.${out.slice(slash)}`;
        break;
      case 'dotdot':
        out = `${out.slice(0, slash)}/x${step.n}/..${out.slice(slash)}`;
        break;
      case 'double':
        out = `${out.slice(0, slash)}/${out.slice(slash)}`;
        break;
      case 'encoded-slash':
        // Not the leading '/': a target must start with one for the HTTP parser to take it.
        if (slash === 0) break;
        out = `${out.slice(0, slash)}${step.n % 2 ? '%2f' : '%2F'}${out.slice(slash + 1)}`;
        break;
      case 'case': {
        const end = out.indexOf('/', slash + 1);
        const segment = out.slice(slash, end < 0 ? undefined : end);
        out = out.slice(0, slash) + segment.toUpperCase() + (end < 0 ? '' : out.slice(end));
        break;
      }
      case 'semicolon':
        if (slash === 0) break;
        out = `${out.slice(0, slash)};v=${step.n}${out.slice(slash)}`;
        break;
      case 'long':
        // One long segment at most: the whole head stays under Node's 16 KiB header limit, so
        // the request reaches the service (that limit's own answer is tested below).
        if (out.length > 2500) break;
        out = `${out.slice(0, slash)}/${'z'.repeat(step.n)}${out.slice(slash)}`;
        break;
      case 'insert': {
        // Never before the leading '/': a target the HTTP parser refuses is a case of its own below.
        const i = 1 + (step.at % out.length);
        out = out.slice(0, i) + step.text + out.slice(i);
        break;
      }
      case 'trailing':
        out = `${out}/`;
        break;
    }
  }
  return out;
}

const absolutePrefix = fc.constantFrom('', '', '', 'http://127.0.0.1', 'http://x', 'https://evil.invalid:8443', 'http://user:pw@h', 'HTTP://X');

const headerSpec: fc.Arbitrary<HeaderSpec> = fc.record({
  requestId: fc.oneof(
    { weight: 6, arbitrary: printable(1, 128).map((value) => ({ kind: 'valid' as const, value })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          printable(129, 300),
          fc.tuple(printable(1, 20), printable(1, 20)).map(([a, b]) => `${a} ${b}`),
          fc.constantFrom('caf\u00e9', '\u00ff\u00fe', 'a\u0080b'),
        )
        .map((value) => ({ kind: 'invalid' as const, value })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const, value: '' }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'invalid' as const, value: '' }) },
  ),
  tenant: fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: 'acme' as const, value: 'acme' }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'victim' as const, value: 'victim' }) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map((value) => ({ kind: 'random' as const, value })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(printable(65, 80), fc.constantFrom('a b', 'a.b', 'tenant/1', '\u00e9t\u00e9', '../acme'))
        .map((value) => ({ kind: 'invalid' as const, value })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const, value: '' }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'twice' as const, value: 'acme' }) },
  ),
  token: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<TokenKind>('valid', 'bearer') },
    { weight: 4, arbitrary: fc.constantFrom<TokenKind | 'missing'>('expired', 'wrong-tenant', 'bad-signature', 'unsigned', 'garbage', 'empty', 'missing') },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>(null) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'text/plain',
        'text/csv',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'application/octet-stream',
        'application/json; charset=latin1',
        'application/vnd.api+json',
        '*/*',
        'garbage',
      ),
    },
  ),
  extra: fc.uniqueArray(
    fc.oneof(
      fc.tuple(
        fc.constant('X-COREOS-USERINFO'),
        fc.oneof(
          printable(0, 200),
          fc.constant('{"id":"u-1","name":"Ada"}'),
          fc.integer({ min: 8000, max: 9000 }).map((n) => 'u'.repeat(n)),
        ),
      ),
      fc.tuple(fc.constant('Idempotency-Key'), fc.oneof(printable(1, 255), printable(256, 300))),
      fc.tuple(fc.constant('X-COREOS-CALLBACK-SECRET'), printable(0, 100)),
      fc.tuple(fc.constant('Accept'), fc.constantFrom('text/csv', 'application/json', 'text/event-stream', '*/*', 'x/y;q=2')),
      fc.constantFrom<[string, string]>(
        ['Expect', '100-continue'],
        ['X-Forwarded-For', '127.0.0.1'],
        ['X-HTTP-Method-Override', 'DELETE'],
        ['X-Original-URL', '/core/api/v2/containers/container-types'],
        ['X-Rewrite-URL', '/health'],
        ['Range', 'bytes=0-10'],
        ['Forwarded', 'for=127.0.0.1;host=x'],
      ),
    ),
    // One of each at most: three 9 KB user infos would only meet Node's 16 KiB header limit.
    { maxLength: 3, selector: ([name]) => name },
  ),
});

/** Harmless callback targets: IP literals and localhost only, so nothing ever resolves a name. */
const callbackUrl = fc.constantFrom(
  'http://127.0.0.1:9/cb',
  'https://10.0.0.7/cb',
  'http://[::1]/cb',
  'http://[::ffff:7f00:1]/',
  'http://[::7f00:1]/',
  'http://0.0.0.0/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://169.254.169.254/latest/meta-data',
  'http://[fe80::1]/',
  'http://localhost/x',
  'ftp://127.0.0.1/x',
  'javascript:alert(1)',
  'not a url',
  '',
);

const itemArb = fc.record(
  {
    refID: fc.oneof(printable(1, 20), fc.constant(''), fc.integer()),
    scannableId: fc.oneof(printable(0, 20), fc.constant(null)),
    attributes: fc.oneof(
      fc.dictionary(fc.constantFrom('weight', 'colour', '__proto__', 'constructor', 'x'), fc.jsonValue({ maxDepth: 2 })),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    trackingDetails: fc.array(fc.record({ operator: printable(0, 70), trackingId: printable(0, 20), isPrimary: fc.boolean() }, { requiredKeys: [] }), {
      maxLength: 3,
    }),
    items: fc.jsonValue({ maxDepth: 3 }),
    containerId: fc.oneof(
      fc.uuid().map((u) => `bag:${u}`),
      printable(0, 20),
    ),
    data: fc.jsonValue({ maxDepth: 3 }),
    isHazmat: fc.jsonValue({ maxDepth: 0 }),
    parentId: printable(0, 40),
  },
  { requiredKeys: [] },
);

const attributeConfig = fc.record(
  {
    name: fc.oneof(fc.constantFrom('weight', 'colour', '__proto__', ''), printable(1, 40)),
    dataType: fc.constantFrom('string', 'number', 'boolean', 'object', 'array', 'date', ''),
    required: fc.jsonValue({ maxDepth: 0 }),
    defaultValue: fc.jsonValue({ maxDepth: 2 }),
    // Only patterns that run fast everywhere: catastrophic patterns are the regex suite's job,
    // and a fuzz that hangs the service would say nothing about the other invariants.
    validation: fc.record(
      {
        regex: fc.constantFrom('^[a-z]+$', '^\\d{3}$', '[', '(?<=a)b', '\\1(a)', '^(a|b)$', 'a{2,3}', '', '[^]', '[]'),
        range: fc.record({ min: fc.integer(), max: fc.integer() }),
        valueOneOf: fc.array(fc.jsonValue({ maxDepth: 0 })),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const jsonBody: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          payload: fc.oneof(fc.array(itemArb, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
          callback: fc.option(fc.record({ url: callbackUrl, meta: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }), { nil: undefined }),
        },
        { requiredKeys: [] },
      )
      .map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        { name: fc.oneof(letters(3, 16), printable(0, 30)), isLeaf: fc.jsonValue({ maxDepth: 0 }), attributes: fc.array(attributeConfig, { maxLength: 3 }) },
        { requiredKeys: [] },
      )
      .map((value) => ({ kind: 'json' as const, value })),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, value })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          '',
          '{',
          '{"payload":[',
          'null',
          '"x"',
          '123',
          'NaN',
          '{"a":1}garbage',
          '\ufeff{"payload":[]}',
          '{"__proto__":{"polluted":1},"payload":[{}]}',
          '{"constructor":{"prototype":{"polluted":1}}}',
          '{"payload":[{"refID":"a"}],"payload":5}',
        ),
        fc.string({ maxLength: 200 }),
      )
      .map((value) => ({ kind: 'text' as const, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        depth: fc.integer({ min: 65, max: 20_000 }),
        shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
        inItem: fc.boolean(),
      })
      .map((d) => ({ kind: 'deep' as const, ...d })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ bytes: fc.integer({ min: 17 * 1024, max: 300 * 1024 }), withLength: fc.boolean() }).map((b) => ({ kind: 'big' as const, ...b })),
  },
);

const csvCell = fc.oneof(
  printable(0, 12),
  fc.constantFrom('"a,b"', '"x""y"', '"unclosed', '=1+1', '@SUM(A1)', '[{"operator":"DHL","trackingId":"T1"}]', '['.repeat(200)),
);
const csvText = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.constantFrom('refID', 'scannableId', 'containerId', 'trackingDetails', 'items', 'attributes.weight', 'attributes.', '', 'refID'),
        printable(1, 12),
      ),
      { minLength: 0, maxLength: 6 },
    ),
    fc.array(fc.array(csvCell, { maxLength: 7 }), { maxLength: 6 }),
    fc.boolean(),
  )
  .map(([header, rows, crlf]) => [header.join(','), ...rows.map((row) => row.join(','))].join(crlf ? '\r\n' : '\n'));

const multipartBody: fc.Arbitrary<BodySpec> = fc
  .record({
    boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
    mismatch: fc.boolean(),
    parts: fc.array(
      fc.record({
        name: fc.constantFrom('file', 'file', 'callback', 'files', '', 'x'),
        filename: fc.option(fc.constantFrom('a.csv', 'b.txt', '../../etc/passwd', ''), { nil: null }),
        type: fc.option(fc.constantFrom('text/csv', 'application/json', 'application/octet-stream'), { nil: null }),
        content: fc.oneof(
          csvText,
          callbackUrl.map((url) => JSON.stringify({ url })),
          fc.string({ maxLength: 100 }),
        ),
      }),
      { maxLength: 4 },
    ),
    many: fc.nat(3),
    close: fc.boolean(),
  })
  .map(({ boundary, mismatch, parts, many, close }) => ({
    kind: 'multipart' as const,
    boundary,
    sentBoundary: mismatch ? `${boundary}x` : boundary,
    // Sometimes more parts than the upload reader allows (50).
    parts: many === 3 ? Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, filename: null, type: null, content: 'v' })) : parts,
    close,
  }));

const anyBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 5, arbitrary: jsonBody },
  { weight: 3, arbitrary: multipartBody },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }).map((value) => ({ kind: 'bytes' as const, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

const chunking = fc.option(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 6 }), { nil: null, freq: 3 });

const noHeaders: HeaderSpec = {
  requestId: { kind: 'valid', value: 'fuzz' },
  tenant: { kind: 'acme', value: 'acme' },
  token: 'valid',
  contentType: null,
  extra: [],
};

const requestArb = (family: Family): fc.Arbitrary<RequestSpec> =>
  routeArb.chain((route) =>
    fc
      .record({
        method: methodFor(route),
        pathname: filledPath(route),
        steps: family === 'spelling' ? fc.array(spelling, { minLength: 1, maxLength: 3 }) : fc.constant([] as Spelling[]),
        prefix: family === 'spelling' ? absolutePrefix : fc.constant(''),
        query: query,
        headers:
          family === 'headers'
            ? headerSpec
            : family === 'spelling'
              ? headerSpec.map((h) => ({ ...h, extra: [] }))
              : headerSpec.map((h) => ({ ...h, contentType: null, extra: [] })),
        body:
          family === 'bodies'
            ? route.body === 'json'
              ? fc.oneof({ weight: 4, arbitrary: jsonBody }, { weight: 1, arbitrary: anyBody })
              : route.body === 'multipart'
                ? fc.oneof({ weight: 4, arbitrary: multipartBody }, { weight: 1, arbitrary: anyBody })
                : anyBody
            : family === 'headers'
              ? fc.oneof(fc.constant<BodySpec>({ kind: 'none' }), jsonBody)
              : fc.constant<BodySpec>({ kind: 'none' }),
        chunks: family === 'bodies' ? chunking : fc.constant(null),
        bodyType: fc.constantFrom('match', 'match', 'match', 'other'),
      })
      .map(({ method, pathname, steps, prefix, query: q, headers, body, chunks, bodyType }) => {
        const target = `${prefix}${respell(pathname, steps)}${q ? `?${q}` : ''}`;
        // Bodies mostly come with the type they claim to be, so they get past the 415 check.
        let contentType = headers.contentType;
        if (family === 'bodies' && bodyType === 'match')
          contentType = body.kind === 'multipart' ? `multipart/form-data; boundary=${body.sentBoundary}` : body.kind === 'none' ? null : 'application/json';
        return { family, method, api: route.api, target, headers: { ...headers, contentType }, body, chunks };
      }),
  );

// ---------------------------------------------------------------------------------------------
// Rendering a spec to bytes

function deepJson(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const array = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
    open += array ? '[' : '{"a":';
    close = (array ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

function renderBody(body: BodySpec): Buffer | null {
  switch (body.kind) {
    case 'none':
      return null;
    case 'json':
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- typed string, but undefined for undefined and functions
      return Buffer.from(JSON.stringify(body.value) ?? 'null');
    case 'text':
      return Buffer.from(body.value);
    case 'bytes':
      return Buffer.from(body.value);
    case 'deep': {
      const deep = deepJson(body.depth, body.shape);
      return Buffer.from(
        body.inItem
          ? `{"payload":[{"refID":"d","attributes":{"weight":${deep}}}],"name":"deep","attributes":[{"name":"x","dataType":"object","defaultValue":${deep}}]}`
          : deep,
      );
    }
    case 'big':
      return Buffer.from(JSON.stringify({ payload: [{ refID: 'big', attributes: { note: 'n'.repeat(body.bytes) } }] }));
    case 'multipart': {
      const parts = body.parts.map((part) => {
        const disposition = `Content-Disposition: form-data; name="${part.name}"${part.filename === null ? '' : `; filename="${part.filename}"`}`;
        return `--${body.boundary}\r\n${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n${part.content}\r\n`;
      });
      return Buffer.from(`${parts.join('')}${body.close ? `--${body.boundary}--\r\n` : ''}`);
    }
  }
}

interface Rendered {
  bytesForLeakCheck: string;
  requestIdSent: string | null;
  requestIdValid: boolean;
  authenticated: boolean;
  bodyBytes: number;
}

const token = tokenCache();

async function send(port: number, spec: RequestSpec): Promise<{ rendered: Rendered; response: RawResponse | Error }> {
  const h = spec.headers;
  const headers: Array<[string, string]> = [];
  if (h.requestId.kind !== 'missing') headers.push(['X-COREOS-REQUEST-ID', h.requestId.value]);
  if (h.tenant.kind !== 'missing') headers.push(['X-COREOS-TID', h.tenant.value]);
  if (h.tenant.kind === 'twice') headers.push(['X-COREOS-TID', 'victim']);
  // The victim tenant never gets a token of its own: anything stored for it proves a bypass.
  const kind = h.tenant.value === 'victim' && ACCEPTED_TOKENS.includes(h.token as TokenKind) ? 'wrong-tenant' : h.token;
  if (kind !== 'missing') headers.push(['X-COREOS-ACCESS', await token(h.tenant.value || 'acme', kind)]);
  if (h.contentType !== null) headers.push(['Content-Type', h.contentType]);
  headers.push(...h.extra);
  const body = renderBody(spec.body);
  const target = spec.target.replace('<acme>', seeded.acmeBatch).replace('<victim>', seeded.victimBatch);
  let payload: Buffer | { chunks: Buffer[] } | undefined;
  if (body !== null) {
    const chunked = spec.chunks ?? (spec.body.kind === 'big' && !spec.body.withLength ? [4096] : null);
    if (chunked) {
      const chunks: Buffer[] = [];
      for (let at = 0, i = 0; at < body.length; i++) {
        const size = chunked[i % chunked.length]!;
        chunks.push(body.subarray(at, at + size));
        at += size;
      }
      payload = { chunks };
    } else payload = body;
  }
  const requestIdValid = h.requestId.kind === 'valid';
  const rendered: Rendered = {
    bytesForLeakCheck: `${spec.method} ${target}\n${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n${body?.toString('latin1') ?? ''}`,
    requestIdSent: h.requestId.kind === 'missing' ? null : h.requestId.value,
    requestIdValid,
    authenticated: requestIdValid && (h.tenant.kind === 'acme' || h.tenant.kind === 'random') && ACCEPTED_TOKENS.includes(kind as TokenKind),
    bodyBytes: body?.length ?? 0,
  };
  if (rendered.authenticated) authenticatedTenants.add(h.tenant.value);
  try {
    // Big bodies wait a moment for an early refusal (see headFirstMs); small ones go at once. The
    // moment is generous because the whole suite may be loading both cores: a refusal that comes
    // after the body went out is lost to the reset of a connection closed with unread bytes.
    const headFirstMs = (body?.length ?? 0) > 64 * 1024 ? 500 : 0;
    return {
      rendered,
      response: await rawRequest(port, { method: spec.method, target, headers, ...(payload ? { body: payload } : {}), timeoutMs: 10_000, headFirstMs }),
    };
  } catch (error) {
    return { rendered, response: error as Error };
  }
}

// ---------------------------------------------------------------------------------------------
// The invariants

const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /\n\s+at |\bat (Object|async|new|Module|process)\b[^"]{0,80}\(|at Object\./],
  ['a file path', /\/work\/|node_modules|\.ts:\d|\.js:\d+:\d+|\/tmp\/|\/home\/|\/root\//],
  [
    'SQL text',
    /\bSELECT\b[^"]{0,200}\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+"?\w+"?\s+SET\b|\bDELETE\s+FROM\b|SQLITE_[A-Z]|no such (table|column)|QueryFailedError|SqliteError/i,
  ],
  ['an internal error', /FST_ERR_|ERR_[A-Z_]{5,}|Maximum call stack|TypeError|ReferenceError|RangeError|Cannot read propert/],
];

function violations(spec: RequestSpec, rendered: Rendered, response: RawResponse | Error): string[] {
  if (!(response instanceof Error)) {
    const found: string[] = [];
    const { status } = response;
    if (status >= 500 && status !== 503) found.push(`a ${status}: only 503 may be a 5xx`);
    if (status === 503 && !response.headers['retry-after']) found.push('a 503 without Retry-After');
    if (status >= 400 && spec.method !== 'HEAD') {
      let envelope: { error?: { code?: unknown; description?: unknown; additionalInfo?: unknown }; request?: Record<string, unknown> | null } | null;
      try {
        envelope = JSON.parse(response.text);
      } catch {
        envelope = null;
      }
      const error = envelope?.error;
      const request = envelope?.request;
      const inEnvelope =
        typeof error?.code === 'string' &&
        typeof error.description === 'string' &&
        typeof error.additionalInfo === 'object' &&
        error.additionalInfo !== null &&
        typeof (error.additionalInfo as { errorName?: unknown }).errorName === 'string' &&
        typeof request === 'object' &&
        request !== null &&
        typeof request.uri === 'string' &&
        // The original's enum holds GET, POST and PUT; any other method is left out.
        (request.method === undefined || ['GET', 'POST', 'PUT'].includes(request.method as string)) &&
        typeof request.queryString === 'string' &&
        'body' in request;
      if (!inEnvelope) found.push(`a ${status} outside the §2 envelope: ${response.text.slice(0, 160)}`);
      else if (Buffer.byteLength(JSON.stringify(request.body)) > 17 * 1024)
        found.push(`a request echo of ${Buffer.byteLength(JSON.stringify(request.body))} bytes: a body over 16 KiB must be summarised`);
    }
    const echoed = response.headers['x-coreos-request-id'];
    if (rendered.requestIdValid && echoed !== rendered.requestIdSent) found.push(`the valid request id was not echoed (got ${JSON.stringify(echoed)})`);
    if (!rendered.requestIdValid && rendered.requestIdSent !== null && echoed === rendered.requestIdSent) found.push('an invalid request id was echoed');
    const answer = `${Object.entries(response.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n${response.text}`;
    for (const [what, pattern] of LEAKS)
      if (pattern.test(answer) && !pattern.test(rendered.bytesForLeakCheck)) found.push(`${what} in the answer: ${pattern.exec(answer)![0]}`);
    if (spec.api && !rendered.authenticated && (status < 400 || status >= 500))
      found.push(`a request without valid credentials answered ${status}: it reached a handler`);
    if (spec.body.kind === 'deep' && status >= 500) found.push(`JSON nested ${spec.body.depth} deep answered ${status}, not 400`);
    return found;
  }
  return [`no answer: ${response instanceof NoAnswer ? response.message : String(response)}`];
}

// ---------------------------------------------------------------------------------------------

const authenticatedTenants = new Set<string>(['acme']);
const observed = { requests: 0, byStatus: new Map<number, number>() };
const collected = new Map<string, string>();

async function fuzz(port: number, family: Family, numRuns: number, seed: number): Promise<void> {
  const property = fc.asyncProperty(requestArb(family), async (spec) => {
    const { rendered, response } = await send(port, spec);
    observed.requests++;
    if (!(response instanceof Error)) observed.byStatus.set(response.status, (observed.byStatus.get(response.status) ?? 0) + 1);
    const found = violations(spec, rendered, response);
    if (COLLECT) {
      for (const v of found) {
        const kind = `${family}: ${v.replace(/\d+/g, 'N').slice(0, 70)}`;
        if (!collected.has(kind))
          collected.set(
            kind,
            `[${family}] ${v}\n    ${spec.method} ${spec.target.slice(0, 300)} (body ${spec.body.kind}, ${rendered.bodyBytes} bytes${spec.chunks ? ', chunked' : ''}, authenticated ${rendered.authenticated})`,
          );
      }
      return true;
    }
    if (found.length)
      throw new Error(
        `${found.join('; ')}\n  request: ${spec.method} ${spec.target.slice(0, 200)} | request id ${rendered.requestIdValid ? 'valid' : 'invalid or none'}, tenant ${spec.headers.tenant.kind}, token ${spec.headers.token}, content type ${spec.headers.contentType}, body ${spec.body.kind} (${rendered.bodyBytes} bytes${spec.chunks ? ', chunked' : ''})`,
      );
    return true;
  });
  const before = collected.size;
  try {
    await fc.assert(property, { seed, numRuns, includeErrorInReport: true, plugins: [fc.interruptAfterTimeLimit(45_000, { failOnInterrupt: false })] });
  } catch (error) {
    throw new Error(`fuzz family '${family}' failed; replay with FUZZ_SEED=${SEED}\n${(error as Error).message}`, { cause: error });
  }
  if (collected.size > before)
    throw new Error(`fuzz family '${family}' (FUZZ_SEED=${SEED}) found ${collected.size - before} new kind(s) of violation; see the list printed at the end`);
}

describe('hostile requests over HTTP (property-based, seeded)', () => {
  let dir: string;
  let service: Running;
  let port: number;
  let baselineRss = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-fuzz-'));
    service = await start(dir, {
      AUTH_JWT_SECRET: TEST_SECRET,
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
      WORKER_IDLE_MS: '50',
      BODY_TIMEOUT_MS: '5000',
      UPLOAD_IDLE_TIMEOUT_MS: '5000',
    });
    port = Number(new URL(service.url).port);
    // Each tenant gets its types and one batch; the victim's are the only ones it may ever have.
    for (const tenant of ['acme', 'victim']) {
      for (const name of ['bag', 'box']) {
        const defined = await rawRequest(port, {
          method: 'POST',
          target: `${BASE}/container-types`,
          headers: await identity(tenant),
          body: Buffer.from(JSON.stringify({ name, attributes: [{ name: 'weight', dataType: 'number' }] })),
        });
        expect(defined.status).toBe(202);
      }
      const submitted = await rawRequest(port, {
        method: 'POST',
        target: `${BASE}/bag/batch`,
        headers: await identity(tenant),
        body: Buffer.from(JSON.stringify({ payload: [{ refID: 'seed-1', attributes: { weight: 1 } }] })),
      });
      expect(submitted.status).toBe(202);
      seeded[tenant === 'acme' ? 'acmeBatch' : 'victimBatch'] = JSON.parse(submitted.text).data.id;
    }
    // Warm up (JIT, caches, pools) before the memory baseline is taken.
    for (let i = 0; i < 200; i++)
      await rawRequest(port, { method: 'GET', target: `${BASE}/bag/batch/status?batchId=${seeded.acmeBatch}`, headers: await identity('acme') });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    baselineRss = residentBytes(service.child.pid!);
  }, 60_000);

  afterAll(async () => {
    if (COLLECT) process.stdout.write(`fuzz violations by kind (seed ${SEED}):\n${[...collected.values()].map((v) => `- ${v}`).join('\n') || '(none)'}\n`);
    process.stdout.write(
      `fuzz: ${observed.requests} requests, statuses ${JSON.stringify(Object.fromEntries([...observed.byStatus].sort((a, b) => a[0] - b[0])))}\n`,
    );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed early
    if (service && service.child.exitCode === null) await kill(service, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const identity = async (tenant: string): Promise<Array<[string, string]>> => [
    ['X-COREOS-REQUEST-ID', `setup-${tenant}`],
    ['X-COREOS-TID', tenant],
    ['X-COREOS-ACCESS', await token(tenant, 'valid')],
    ['Content-Type', 'application/json'],
  ];

  it('answers odd spellings of every route (encodings, dot segments, absolute form, long and bad segments) within the contract', async () => {
    await fuzz(port, 'spelling', RUNS, SEED);
  }, 90_000);

  it('answers every mix of valid and invalid identity headers and tokens within the contract', async () => {
    await fuzz(port, 'headers', Math.round(RUNS * 0.8), SEED + 1);
  }, 90_000);

  it('answers hostile bodies (random and deep JSON, wrong types, multipart garbage, chunked, big) within the contract', async () => {
    await fuzz(port, 'bodies', RUNS, SEED + 2);
  }, 90_000);

  // Issue 13 found 320 such requests took the process from 0.5 to 5 GiB: a request refused by the
  // header and token checks must never have its body read, however its path is spelled.
  it('answers a burst of big unauthenticated bodies to odd spellings of the submit routes without keeping them', async () => {
    const spellings = fc.sample(fc.array(spelling, { minLength: 1, maxLength: 2 }), { seed: SEED, numRuns: 64 });
    // One 8 MiB body, sent 64 times at once.
    const body = Buffer.from(`{"payload":[{"refID":"a","attributes":{"note":"${'n'.repeat(8 * MiB)}"}}]}`);
    const answers = await Promise.all(
      spellings.map(async (steps, i) => {
        const target = respell(
          `${BASE}/bag/batch${i % 4 === 3 ? '/upload' : ''}`,
          steps.filter((step) => step.kind !== 'long'),
        );
        const spec: RequestSpec = {
          family: 'bodies',
          method: 'POST',
          api: true,
          target,
          headers: { ...noHeaders, token: i % 2 ? 'missing' : 'expired' },
          body: { kind: 'big', bytes: body.length, withLength: i % 2 === 0 },
          chunks: i % 2 ? [MiB] : null,
        };
        const headers: Array<[string, string]> = [
          ['X-COREOS-REQUEST-ID', `burst-${i}`],
          ['X-COREOS-TID', 'victim'],
          ['Content-Type', 'application/json'],
        ];
        if (i % 2 === 0) headers.push(['X-COREOS-ACCESS', await token('victim', 'expired')]);
        let response: RawResponse | Error;
        try {
          response = await rawRequest(port, {
            method: 'POST',
            target,
            headers,
            body: i % 2 ? { chunks: [body.subarray(0, 4 * MiB), body.subarray(4 * MiB)] } : body,
            timeoutMs: 30_000,
            // The 401 comes before the body is read; on a machine busy with other suites it can
            // take seconds, and a body sent after it meets a closed socket (EPIPE), not an answer.
            headFirstMs: 15_000,
          });
        } catch (error) {
          response = error as Error;
        }
        return violations(
          spec,
          { bytesForLeakCheck: target, requestIdSent: `burst-${i}`, requestIdValid: true, authenticated: false, bodyBytes: body.length },
          response,
        ).map((v) => `POST ${target}: ${v}`);
      }),
    );
    expect(answers.flat()).toEqual([]);
  }, 60_000);

  // Requests Node's HTTP parser refuses never reach a route: what answers them is the server's
  // client-error handler, which must still speak the envelope (§11) and leak nothing.
  it('answers requests the HTTP parser refuses in the envelope too, without leaks', async () => {
    const headers = await identity('acme');
    const cases: Array<[string, Parameters<typeof rawRequest>[1]]> = [
      ['raw UTF-8 in the target', { method: 'GET', target: `${BASE}/b\u00c3\u00a4g/batch/status`, headers }],
      ['a target without its leading slash', { method: 'GET', target: `%ff%fe${BASE}/container-types`, headers }],
      ['a space in the target', { method: 'GET', target: `${BASE}/bag /batch/status`, headers }],
      ['a header section over 16 KiB', { method: 'GET', target: `${BASE}/container-types`, headers: [...headers, ['X-Pad', 'p'.repeat(20_000)]] }],
      ['a control character in a header', { method: 'GET', target: `${BASE}/container-types`, headers: [...headers, ['X-COREOS-USERINFO', 'a\u0001b']] }],
      [
        'a Content-Length that is no number',
        { method: 'POST', target: `${BASE}/container-types`, headers: [...headers, ['Content-Length', 'abc']], body: Buffer.from('{}') },
      ],
      [
        'Content-Length beside chunked',
        {
          method: 'POST',
          target: `${BASE}/container-types`,
          headers: [...headers, ['Content-Length', '2'], ['Transfer-Encoding', 'chunked']],
          body: Buffer.from('0\r\n\r\n'),
        },
      ],
      [
        'an Expect the server cannot meet',
        { method: 'POST', target: `${BASE}/container-types`, headers: [...headers, ['Expect', 'teapot']], body: Buffer.from('{}') },
      ],
    ];
    const problems: string[] = [];
    for (const [what, request] of cases) {
      let response: RawResponse | Error;
      try {
        response = await rawRequest(port, { ...request, timeoutMs: 10_000 });
      } catch (error) {
        response = error as Error;
      }
      const spec = {
        family: 'spelling',
        method: request.method,
        api: true,
        target: request.target,
        headers: noHeaders,
        body: { kind: 'none' },
        chunks: null,
      } as RequestSpec;
      const found = violations(
        spec,
        { bytesForLeakCheck: request.target, requestIdSent: null, requestIdValid: false, authenticated: false, bodyBytes: 0 },
        response,
      );
      if (!(response instanceof Error) && response.status < 400) found.push(`answered ${response.status}`);
      problems.push(...found.map((v) => `${what}: ${v}`));
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('has stored nothing for a tenant that never sent a valid token', async () => {
    const database = await Database.open(`sqlite:${path.join(dir, 'db.sqlite')}`);
    try {
      const rows = async (sql: string) => database.read((m) => m.query<Array<Record<string, unknown>>>(sql));
      const batchTenants = (await rows('SELECT DISTINCT tenant_id AS t FROM batches')).map((r) => String(r.t));
      const typeTenants = (await rows('SELECT DISTINCT tenant_id AS t FROM container_types')).map((r) => String(r.t));
      expect([...batchTenants, ...typeTenants].filter((t) => !authenticatedTenants.has(t) && t !== 'victim')).toEqual([]);
      expect(await rows("SELECT id, cancelled_at FROM batches WHERE tenant_id = 'victim'")).toEqual([{ id: seeded.victimBatch, cancelled_at: null }]);
      expect((await rows("SELECT name FROM container_types WHERE tenant_id = 'victim' ORDER BY name")).map((r) => r.name)).toEqual(['bag', 'box']);
    } finally {
      await database.close();
    }
  });

  it('is still healthy, with its memory back near where it started', async () => {
    expect(service.child.exitCode).toBeNull();
    const health = await rawRequest(port, { method: 'GET', target: '/health/ready' });
    expect(health.status).toBe(200);
    let rss = residentBytes(service.child.pid!);
    for (let i = 0; i < 10 && rss - baselineRss >= 150 * MiB; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      rss = residentBytes(service.child.pid!);
    }
    process.stdout.write(`fuzz: RSS ${Math.round(baselineRss / MiB)} MiB before, ${Math.round(rss / MiB)} MiB after\n`);
    expect(Math.round((rss - baselineRss) / MiB)).toBeLessThan(150);
  }, 30_000);
});
