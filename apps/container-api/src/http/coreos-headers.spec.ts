import { actorOf, parseUserInfo, readIdentityHeaders } from './coreos-headers';
import { MAX_ACTOR_ID, USERINFO_MAX_BYTES } from './userinfo';

/** Who acted for a header value, with the token subject `sub-9` and tenant `acme`. */
const actor = (userInfo: string | undefined, subject: string | null = 'sub-9') => actorOf(parseUserInfo(userInfo), subject, 'acme');
/** The same with Node's view of a header: one character per byte. */
const fromBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('X-COREOS-USERINFO', () => {
  it.each([
    ['our JSON shape', '{"id":"u-1","name":"Ada"}', { id: 'u-1', name: 'Ada' }],
    ['a numeric id', '{"id":1}', { id: '1' }],
    ['an app with no id', '{"name":"Ada","appID":"app-7"}', { id: 'app-7', name: 'Ada', appID: 'app-7' }],
    ['an empty id beside an app id', '{"id":"","name":"Ada","appID":"app-7"}', { id: 'app-7', name: 'Ada', appID: 'app-7' }],
    ['Go field names in JSON', '{"ID":"u-2","Name":"Ada","AppID":"app-7"}', { id: 'u-2', name: 'Ada', appID: 'app-7' }],
    ['extra fields', '{"id":"u-7","name":"Ada","role":"x","tags":[1,{"a":2}]}', { id: 'u-7', name: 'Ada' }],
    ['a JSON string holding the JSON', JSON.stringify('{"id":"u-3"}'), { id: 'u-3' }],
    ['Go syntax', 'api.Userinfo{ID:"", Name:"Ada", AppID:"app-7"}', { id: 'app-7', name: 'Ada', appID: 'app-7' }],
    ['Go syntax without the package', 'Userinfo{ID:"u-4", Name:"Ada"}', { id: 'u-4', name: 'Ada' }],
    ['Go syntax, a pointer, fields in another order', '&api.Userinfo{AppID:"app-7", Name:"Ada", ID:"u-5"}', { id: 'u-5', name: 'Ada', appID: 'app-7' }],
    [
      'Go syntax with escapes in a string',
      'api.Userinfo{ID:"u-6", Name:"Ada \\"the\\" Countess\\t\\u00e9\\x41\\101"}',
      { id: 'u-6', name: 'Ada "the" Countess\té\u0041A' },
    ],
    [
      'Go syntax with every quote escaped once more',
      'api.Userinfo{ID:\\"\\", Name:\\"Ada\\", AppID:\\"app-7\\"}',
      { id: 'app-7', name: 'Ada', appID: 'app-7' },
    ],
    ['Go syntax inside a JSON string', JSON.stringify('api.Userinfo{ID:"u-8", Name:"Ada"}'), { id: 'u-8', name: 'Ada' }],
    [
      'Go syntax with other fields of any kind',
      'api.Userinfo{ID:"u-9", Roles:[]string{"a", "}"}, Admin:true, Since:time.Time{wall:0x1}, Name:`raw "name"`}',
      { id: 'u-9', name: 'raw "name"' },
    ],
    ['a Go numeric id, kept as printed', 'api.Userinfo{ID:12345678901234567890}', { id: '12345678901234567890' }],
    ['a name alone (the token tells who)', '{"name":"Ada"}', { id: 'sub-9', name: 'Ada' }],
    ['a UTF-8 name', fromBytes('{"id":"u-10","name":"Zoë 😀"}'), { id: 'u-10', name: 'Zoë 😀' }],
  ])('reads %s', (_form, header, expected) => {
    expect(actor(header)).toEqual(expected);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a bare number', '1234'],
    ['cut-off JSON', '{"id":'],
    ['a JSON array', '[1]'],
    ['JSON null', 'null'],
    ['plain text', 'not json'],
    ['an id that is not text', '{"id":{"x":1},"name":5}'],
    ['an id longer than 64', `{"id":"${'x'.repeat(MAX_ACTOR_ID + 1)}"}`],
    ['cut-off Go syntax', 'api.Userinfo{ID:"u-1", Name:"Ada'],
    ['Go syntax with a bad escape', 'api.Userinfo{ID:"u\\q"}'],
    ['Go syntax with an unquoted value', 'api.Userinfo{ID:abc}'],
    ["Go's %+v form", '{ID: Name:Ada AppID:}'],
    ['a control character', 'a\u0001b'],
  ])('ignores %s: the token subject acts', (_form, header) => {
    expect(actor(header)).toEqual({ id: 'sub-9' });
  });

  it('falls back to the tenant when the token names no usable subject', () => {
    expect(actor('1234', null)).toEqual({ id: 'acme' });
    expect(actor('1234', '  ')).toEqual({ id: 'acme' });
    expect(actor('1234', 's'.repeat(MAX_ACTOR_ID + 1))).toEqual({ id: 'acme' });
  });

  it('keeps the ActionBy bounds: a long name is cut to 256 characters, a long app id is not an id', () => {
    expect(actor(JSON.stringify({ id: 'u-1', name: 'n'.repeat(300) }))).toEqual({ id: 'u-1', name: 'n'.repeat(256) });
    expect(actor(fromBytes(JSON.stringify({ id: 'u-1', name: `${'n'.repeat(255)}😀` })))).toEqual({ id: 'u-1', name: 'n'.repeat(255) });
    const appID = 'a'.repeat(100);
    expect(actor(JSON.stringify({ appID }))).toEqual({ id: 'sub-9', appID });
  });

  it('refuses only a value over 8 KiB', () => {
    expect(actor('u'.repeat(USERINFO_MAX_BYTES))).toEqual({ id: 'sub-9' });
    expect(() => parseUserInfo('u'.repeat(USERINFO_MAX_BYTES + 1))).toThrow(expect.objectContaining({ code: 'INVALID_HEADER' }));
  });

  it('reads hostile 8 KiB values in linear time', () => {
    const hostile = [
      '{'.repeat(8000),
      `api.Userinfo{ID:"${'\\"'.repeat(4000)}`,
      `Userinfo{X:${'{['.repeat(4000)}`,
      `Userinfo{${'A:1,'.repeat(2040)}}`,
      '\\"'.repeat(4096),
      `"${'\\\\'.repeat(4000)}"`,
    ];
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) for (const value of hostile) actor(value);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});

describe('readIdentityHeaders', () => {
  const headers = { 'x-coreos-request-id': 'r-1', 'x-coreos-tid': 'acme' };

  it('checks the request id and the tenant before the user info, and reads the user info', () => {
    expect(readIdentityHeaders({ ...headers, 'x-coreos-userinfo': '{"id":"u-1"}' })).toEqual({ requestId: 'r-1', tenantId: 'acme', declared: { id: 'u-1' } });
    expect(() => readIdentityHeaders({ 'x-coreos-tid': 'acme', 'x-coreos-userinfo': 'u'.repeat(9000) })).toThrow(
      expect.objectContaining({ code: 'MISSING_HEADER' }),
    );
    expect(() => readIdentityHeaders({ 'x-coreos-request-id': 'r-1', 'x-coreos-userinfo': 'u'.repeat(9000) })).toThrow(
      expect.objectContaining({ code: 'MISSING_HEADER' }),
    );
  });
});
