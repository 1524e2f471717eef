import { FixedClock, StaticAccessVerifier } from '@container-service/batch-domain/testing';
import { DefineContainerType, GetContainerType, ListContainerTypes, ReplaceContainerTypeAttributes } from './container-type.use-cases';
import { InMemoryContainerTypeRepository } from './testing';
import { expectErr, expectOk } from './testing';

function setUp() {
  const types = new InMemoryContainerTypeRepository();
  const access = new StaticAccessVerifier().grant('tok', 'acme').grant('tok-g', 'globex');
  const clock = new FixedClock(5000);
  return {
    types,
    define: new DefineContainerType(types, access, clock),
    get: new GetContainerType(types, access),
    list: new ListContainerTypes(types, access),
  };
}

const caller = { accessToken: 'tok', tenantId: 'acme' };

describe('DefineContainerType', () => {
  it('defines a type with timestamps and actor', async () => {
    const { define } = setUp();
    const result = await define.execute({
      ...caller,
      actor: { id: 'u1' },
      body: { name: 'bag', isLeaf: true, attributes: [{ name: 'w', dataType: 'number' }] },
    });
    expect(expectOk(result)).toMatchObject({ name: 'bag', isLeaf: true, createdAt: 5000, updatedAt: 5000, createdBy: { id: 'u1' } });
  });

  it('refuses a second type of the same name', async () => {
    const { define } = setUp();
    await define.execute({ ...caller, body: { name: 'bag' } });
    const again = await define.execute({ ...caller, body: { name: 'bag' } });
    expectErr(again, 'CONTAINER_TYPE_EXISTS');
  });

  it('lists every broken rule of a definition', async () => {
    const { define, types } = setUp();
    const result = await define.execute({ ...caller, body: { name: 'b4g', isLeaf: 'no', attributes: [{ name: 'w' }] } });
    expect(expectErr(result).violations?.map((v) => v.path)).toEqual(['name', 'isLeaf', 'attributes[0].dataType']);
    expect((await types.list('acme', { limit: 10 })).items).toEqual([]);
  });

  it('checks the token before the body', async () => {
    const { define } = setUp();
    const result = await define.execute({ accessToken: 'nope', tenantId: 'acme', body: { name: '!' } });
    expectErr(result, 'UNAUTHORIZED');
  });
});

describe('GetContainerType', () => {
  it("does not find another tenant's type", async () => {
    const { define, get } = setUp();
    await define.execute({ ...caller, body: { name: 'bag' } });
    const result = await get.execute({ accessToken: 'tok-g', tenantId: 'globex', name: 'bag' });
    expectErr(result, 'CONTAINER_TYPE_NOT_FOUND');
  });
});

describe('ListContainerTypes', () => {
  it('pages through the tenant’s types with an opaque cursor', async () => {
    const { define, list } = setUp();
    for (const name of ['crate', 'bag', 'box']) await define.execute({ ...caller, body: { name } });
    const first = await list.execute({ ...caller, limit: '2' });
    expect(expectOk(first).items.map((t) => t.name)).toEqual(['bag', 'box']);
    const cursor = expectOk(first).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await list.execute({ ...caller, limit: '2', cursor });
    expect(expectOk(second)).toMatchObject({ items: [{ name: 'crate' }], nextCursor: null });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '501' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: '%%%' }, 'cursor'],
    [{ cursor: Buffer.from('not a name!').toString('base64url') }, 'cursor'],
  ])('refuses %p', async (query, path) => {
    const { list } = setUp();
    const result = await list.execute({ ...caller, ...query });
    expect(expectErr(result)).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ path }] });
  });
});

describe('ReplaceContainerTypeAttributes', () => {
  it('replaces the whole configuration and stamps the change', async () => {
    const { define, types } = setUp();
    await define.execute({ ...caller, body: { name: 'bag', attributes: [{ name: 'w', dataType: 'number' }] } });
    const replace = new ReplaceContainerTypeAttributes(types, new StaticAccessVerifier().grant('tok', 'acme'), new FixedClock(9000));
    const result = await replace.execute({ ...caller, actor: { id: 'u2' }, name: 'bag', attributes: [{ name: 'seal', dataType: 'string', required: true }] });
    expect(expectOk(result)).toMatchObject({
      attributes: [{ name: 'seal', dataType: 'string', required: true }],
      updatedAt: 9000,
      updatedBy: { id: 'u2' },
      createdAt: 5000,
    });
  });

  it('refuses an invalid configuration, changing nothing', async () => {
    const { define, types } = setUp();
    await define.execute({ ...caller, body: { name: 'bag' } });
    const replace = new ReplaceContainerTypeAttributes(types, new StaticAccessVerifier().grant('tok', 'acme'), new FixedClock(9000));
    expect(await replace.execute({ ...caller, name: 'bag', attributes: [{ name: 'x', dataType: 'nope' }] })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await replace.execute({ ...caller, name: 'bag', attributes: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await replace.execute({ ...caller, name: 'box', attributes: [] })).toMatchObject({ ok: false, error: { code: 'CONTAINER_TYPE_NOT_FOUND' } });
    expect((await types.find('acme', 'bag'))!.toSnapshot().updatedAt).toBe(5000);
  });
});
