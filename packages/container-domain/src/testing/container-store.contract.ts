// The rules every ContainerStore must follow: what it stores reads back the same, each tenant
// sees only its own containers and types, a scannable id (per tenant and type) and a tracking id
// (per tenant) belong to one container at a time and a write that breaks that is refused, and
// writes made in a transaction that rolls back leave nothing. Run it against each adapter and the
// in-memory fake.
import { AttributeConfig } from '../attribute-config';
import { ContainerStore } from '../container';
import { T0, aContainer } from './builders';

export interface ContainerStoreFixture {
  /** Runs `work` in one transaction of the store, with the container store bound to it; a throw rolls it back. */
  transaction<T>(work: (store: ContainerStore) => Promise<T>): Promise<T>;
  /** Defines a container type (the store reads types; another port writes them). */
  defineType(tenantId: string, name: string, isLeaf: boolean, attributes: AttributeConfig[]): Promise<void>;
  close?(): Promise<void>;
}

class Boom extends Error {}

const T1 = T0 + 86_400_000;

/**
 * Whether the store refused `run`: it rejected, with whatever the adapter throws. Not
 * `rejects.toThrow()`: under Jest a native driver's error may be built from another test file's
 * realm, and is then no `Error` of this one.
 */
const refused = (run: Promise<unknown>): Promise<boolean> =>
  run.then(
    () => false,
    () => true,
  );

const id = (n: number, type = 'bag') => `${type}:00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const dhl = (trackingId: string, isPrimary = true) => ({ operator: 'DHL', trackingId, isPrimary });

export function describeContainerStoreContract(name: string, open: () => Promise<ContainerStoreFixture>): void {
  describe(`ContainerStore contract: ${name}`, () => {
    let fixture: ContainerStoreFixture;
    beforeEach(async () => {
      fixture = await open();
      await fixture.defineType('acme', 'bag', false, [{ name: 'weight', dataType: 'number', required: true }]);
      await fixture.defineType('acme', 'box', true, []);
      await fixture.defineType('globex', 'bag', true, []);
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    /** Runs `work` in a committed transaction of its own. */
    const inTx = <T>(work: (store: ContainerStore) => Promise<T>) => fixture.transaction(work);
    const stored = (tenantId: string, type: string, ids: string[]) => inTx((store) => store.findMany(tenantId, type, ids));
    const insert = (...containers: Parameters<typeof aContainer>[0][]) => inTx((store) => store.insertMany(containers.map((c) => aContainer(c))));

    it('reads back every field of what it stores', async () => {
      const full = aContainer({
        id: id(1),
        refId: null,
        scannableId: 'S1',
        trackingDetails: [dhl('T1'), { operator: 'UPS', trackingId: 'U1', isPrimary: false }],
        attributes: { weight: 2.5, shape: { sides: [1, 2, { deep: null }] }, label: 'zwölf ✓' },
        items: [
          {
            name: 'Shirt',
            code: 'SH-1',
            cost: { unit: { amount: 1.5, currency: 'EUR' }, total: { amount: 3, currency: 'EUR' } },
            quantity: { value: 2, unit: 'nos' },
          },
        ],
        parentId: id(9, 'box'),
        isHazmat: true,
        isContainerizable: false,
        isReusable: true,
        createdAt: 1_767_225_600_123,
        updatedAt: 1_767_225_700_456,
        createdBy: { id: 'u-1', name: 'Ada' },
        updatedBy: { id: 'u-2' },
      });
      await inTx((store) => store.insertMany([full, aContainer({ id: id(2) })]));
      const found = await stored('acme', 'bag', [id(1), id(2), id(3)]);
      expect([...found.keys()].sort()).toEqual([id(1), id(2)]);
      expect(found.get(id(1))).toEqual(full);
      expect(found.get(id(2))).toEqual(aContainer({ id: id(2) }));
    });

    it('sees its own writes later in the same transaction', async () => {
      const seen = await inTx(async (store) => {
        await store.insertMany([aContainer({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] })]);
        return {
          found: (await store.findMany('acme', 'bag', [id(1)])).size,
          scannable: await store.scannableOwners('acme', 'bag', ['S1']),
          tracking: await store.trackingOwners('acme', [dhl('T1')]),
        };
      });
      expect(seen).toEqual({ found: 1, scannable: new Map([['S1', id(1)]]), tracking: [{ operator: 'DHL', trackingId: 'T1', containerId: id(1) }] });
    });

    it("finds a tenant's type with its leaf flag and attributes, and no other tenant's", async () => {
      expect(await inTx((store) => store.findType('acme', 'bag'))).toEqual({
        isLeaf: false,
        attributes: [{ name: 'weight', dataType: 'number', required: true }],
      });
      expect(await inTx((store) => store.findType('acme', 'box'))).toEqual({ isLeaf: true, attributes: [] });
      expect(await inTx((store) => store.findType('globex', 'box'))).toBeNull();
      expect(await inTx((store) => store.findType('acme', 'crate'))).toBeNull();
    });

    it('finds containers of the tenant and type asked for only', async () => {
      await insert({ id: id(1) });
      expect((await stored('acme', 'box', [id(1)])).size).toBe(0);
      expect((await stored('globex', 'bag', [id(1)])).size).toBe(0);
    });

    it('says who holds a scannable id within the tenant and type', async () => {
      await insert({ id: id(1), scannableId: 'S1' }, { id: id(2), scannableId: 'S2' }, { id: id(3) });
      expect(await inTx((store) => store.scannableOwners('acme', 'bag', ['S1', 'S3']))).toEqual(new Map([['S1', id(1)]]));
      expect((await inTx((store) => store.scannableOwners('acme', 'box', ['S1']))).size).toBe(0);
      expect((await inTx((store) => store.scannableOwners('globex', 'bag', ['S1']))).size).toBe(0);
    });

    it('says who holds a tracking id within the tenant, matching operator and id together', async () => {
      await insert(
        { id: id(1), trackingDetails: [dhl('T1'), { operator: 'UPS', trackingId: 'U1', isPrimary: false }] },
        { id: id(2, 'box'), containerType: 'box', trackingDetails: [dhl('T2')] },
      );
      const owners = await inTx((store) => store.trackingOwners('acme', [dhl('T1'), { operator: 'UPS', trackingId: 'T1' }, dhl('U1'), dhl('T2'), dhl('T3')]));
      expect(owners.sort((a, b) => a.trackingId.localeCompare(b.trackingId))).toEqual([
        { operator: 'DHL', trackingId: 'T1', containerId: id(1) },
        { operator: 'DHL', trackingId: 'T2', containerId: id(2, 'box') },
      ]);
      expect(await inTx((store) => store.trackingOwners('globex', [dhl('T1')]))).toEqual([]);
    });

    it("gives the leaf flag of each parent's type, leaving out unknown and other tenants' containers", async () => {
      await insert({ id: id(1) }, { id: id(2, 'box'), containerType: 'box' });
      await inTx((store) => store.insertMany([aContainer({ id: id(3), tenantId: 'globex' })]));
      const parents = await inTx((store) => store.parents('acme', [id(1), id(2, 'box'), id(3), id(4)]));
      expect(parents).toEqual(
        new Map([
          [id(1), { isLeaf: false }],
          [id(2, 'box'), { isLeaf: true }],
        ]),
      );
      expect(await inTx((store) => store.parents('globex', [id(3)]))).toEqual(new Map([[id(3), { isLeaf: true }]]));
    });

    it('replaces a container on update, its tracking ids included', async () => {
      await insert({ id: id(1), trackingDetails: [dhl('T1')] });
      const changed = aContainer({
        id: id(1),
        trackingDetails: [dhl('T2')],
        attributes: { weight: 5 },
        items: [{ name: 'Cap', cost: { total: { amount: 1, currency: 'USD' } } }],
        updatedAt: T1,
        updatedBy: { id: 'u-3' },
      });
      await inTx((store) => store.update(changed));
      expect((await stored('acme', 'bag', [id(1)])).get(id(1))).toEqual(changed);
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T1'), dhl('T2')]))).toEqual([{ operator: 'DHL', trackingId: 'T2', containerId: id(1) }]);
      await insert({ id: id(2), trackingDetails: [dhl('T1')] });
    });

    it('refuses to update a container it does not hold', async () => {
      expect(await refused(inTx((store) => store.update(aContainer({ id: id(1) }))))).toBe(true);
      await insert({ id: id(1), tenantId: 'globex' });
      expect(await refused(inTx((store) => store.update(aContainer({ id: id(1), attributes: { weight: 9 } }))))).toBe(true);
      expect((await stored('globex', 'bag', [id(1)])).get(id(1))?.attributes).toEqual({ weight: 2 });
    });

    it('refuses a scannable id another container of the tenant and type holds', async () => {
      await insert({ id: id(1), scannableId: 'S1' });
      expect(await refused(insert({ id: id(2), scannableId: 'S1' }))).toBe(true);
      expect(await refused(insert({ id: id(3), scannableId: 'S9' }, { id: id(4), scannableId: 'S9' }))).toBe(true);
      await expect(inTx((store) => store.update(aContainer({ id: id(1), scannableId: 'S1', refId: 'again' })))).resolves.toBeUndefined();
      await insert({ id: id(5), scannableId: 'S2' });
      expect(await refused(inTx((store) => store.update(aContainer({ id: id(5), scannableId: 'S1' }))))).toBe(true);
      expect([...(await stored('acme', 'bag', [id(1), id(2), id(3), id(4), id(5)])).keys()].sort()).toEqual([id(1), id(5)]);
    });

    it('refuses a tracking id another container of the tenant holds, under any type', async () => {
      await insert({ id: id(1), trackingDetails: [dhl('T1')] });
      expect(await refused(insert({ id: id(2, 'box'), containerType: 'box', trackingDetails: [dhl('T1')] }))).toBe(true);
      expect(await refused(insert({ id: id(3), trackingDetails: [dhl('T9')] }, { id: id(4), trackingDetails: [dhl('T9')] }))).toBe(true);
      await expect(inTx((store) => store.update(aContainer({ id: id(1), trackingDetails: [dhl('T1')], refId: 'again' })))).resolves.toBeUndefined();
      await insert({ id: id(5), trackingDetails: [dhl('T5')] });
      expect(await refused(inTx((store) => store.update(aContainer({ id: id(5), trackingDetails: [dhl('T1')] }))))).toBe(true);
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T1'), dhl('T5'), dhl('T9')]))).toEqual(
        expect.arrayContaining([
          { operator: 'DHL', trackingId: 'T1', containerId: id(1) },
          { operator: 'DHL', trackingId: 'T5', containerId: id(5) },
        ]),
      );
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T9')]))).toEqual([]);
    });

    it('stores all of a list whose ids are free, if-free, and answers true', async () => {
      await insert({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] });
      const list = [
        aContainer({ id: id(2), scannableId: 'S2', trackingDetails: [dhl('T2')] }),
        aContainer({ id: id(3), trackingDetails: [dhl('T3'), dhl('T4')] }),
      ];
      expect(await inTx((store) => store.insertManyIfFree(list))).toBe(true);
      expect([...(await stored('acme', 'bag', [id(2), id(3)])).keys()].sort()).toEqual([id(2), id(3)]);
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T4')]))).toEqual([{ operator: 'DHL', trackingId: 'T4', containerId: id(3) }]);
      expect(await inTx((store) => store.insertManyIfFree([]))).toBe(true);
    });

    it('stores none of a list, if-free, when one takes a held id, and the transaction goes on as before', async () => {
      await insert({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] });
      const free = (n: number) => aContainer({ id: id(n), scannableId: `S${n}`, trackingDetails: [dhl(`T${n}`)] });
      const clashes = [
        aContainer({ id: id(20), scannableId: 'S1' }),
        aContainer({ id: id(21), trackingDetails: [dhl('T21'), dhl('T1')] }),
        aContainer({ id: id(1), scannableId: 'S22' }),
        aContainer({ id: id(23), scannableId: 'S23' }),
      ];
      const answers = await inTx(async (store) => {
        const seen: boolean[] = [];
        for (const [k, clash] of clashes.entries()) {
          // The clash last, after containers that would have been stored, and in the middle.
          seen.push(await store.insertManyIfFree(k === 3 ? [free(30 + k), clash, aContainer({ ...clash, id: id(40) })] : [free(30 + k), clash, free(50 + k)]));
        }
        await store.insertMany([free(9)]);
        return seen;
      });
      expect(answers).toEqual([false, false, false, false]);
      const kept = await stored('acme', 'bag', [id(1), id(9), ...[0, 1, 2, 3].flatMap((k) => [id(30 + k), id(50 + k)]), id(20), id(21), id(23), id(40)]);
      expect([...kept.keys()].sort()).toEqual([id(1), id(9)]);
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T21'), dhl('T30'), dhl('T9')]))).toEqual([
        { operator: 'DHL', trackingId: 'T9', containerId: id(9) },
      ]);
    });

    it('lets another tenant hold the same scannable and tracking ids, and another type the same scannable id', async () => {
      await insert({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] });
      await insert({ id: id(2), tenantId: 'globex', scannableId: 'S1', trackingDetails: [dhl('T1')] });
      await insert({ id: id(3, 'box'), containerType: 'box', scannableId: 'S1' });
      expect(await inTx((store) => store.scannableOwners('globex', 'bag', ['S1']))).toEqual(new Map([['S1', id(2)]]));
      expect(await inTx((store) => store.trackingOwners('globex', [dhl('T1')]))).toEqual([{ operator: 'DHL', trackingId: 'T1', containerId: id(2) }]);
    });

    it('leaves nothing of the writes of a transaction that rolls back', async () => {
      await insert({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] });
      await expect(
        inTx(async (store) => {
          await store.insertMany([aContainer({ id: id(2), scannableId: 'S2', trackingDetails: [dhl('T2')] })]);
          await store.update(aContainer({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T3')], attributes: { weight: 7 } }));
          throw new Boom('the chunk failed');
        }),
      ).rejects.toBeInstanceOf(Boom);
      const found = await stored('acme', 'bag', [id(1), id(2)]);
      expect([...found.keys()]).toEqual([id(1)]);
      expect(found.get(id(1))).toEqual(aContainer({ id: id(1), scannableId: 'S1', trackingDetails: [dhl('T1')] }));
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T1'), dhl('T2'), dhl('T3')]))).toEqual([
        { operator: 'DHL', trackingId: 'T1', containerId: id(1) },
      ]);
      expect((await inTx((store) => store.scannableOwners('acme', 'bag', ['S2']))).size).toBe(0);
      await insert({ id: id(2), scannableId: 'S2', trackingDetails: [dhl('T2'), dhl('T3')] });
    });

    it('leaves nothing of a transaction whose write was refused', async () => {
      await insert({ id: id(1), trackingDetails: [dhl('T1')] });
      const refusedLate = inTx(async (store) => {
        await store.insertMany([aContainer({ id: id(2), scannableId: 'S2', trackingDetails: [dhl('T2')] })]);
        await store.insertMany([aContainer({ id: id(3), trackingDetails: [dhl('T1')] })]);
      });
      expect(await refused(refusedLate)).toBe(true);
      expect([...(await stored('acme', 'bag', [id(1), id(2), id(3)])).keys()]).toEqual([id(1)]);
      expect(await inTx((store) => store.trackingOwners('acme', [dhl('T2')]))).toEqual([]);
    });
  });
}
