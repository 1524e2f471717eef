import { BatchContext, PendingItem } from '@container-service/batch-domain';
import { SequentialIdGenerator, aBatchId } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND } from './container-batches';
import { CreateContainerHandler, UpdateContainerHandler } from './container-item.handlers';
import { InMemoryContainerStore } from './testing';

const context = (targetType = 'bag'): BatchContext => ({
  batchId: aBatchId(),
  tenantId: 'acme',
  kind: CONTAINER_BATCH_KIND,
  targetType,
  operation: 'create',
  createdBy: { id: 'u-1' },
  columns: null,
  now: 7000,
  timeUp: () => false,
});
const pending = (inputs: unknown[]): PendingItem[] => inputs.map((input, seq) => ({ seq, refId: `r-${seq}`, row: null, input }));

function setUp() {
  const store = new InMemoryContainerStore()
    .withType('acme', 'bag', false, [{ name: 'weight', dataType: 'number', required: true }])
    .withType('acme', 'box', true)
    .withType('globex', 'bag', false);
  return { store, create: new CreateContainerHandler(store, new SequentialIdGenerator()), update: new UpdateContainerHandler(store) };
}

describe('CreateContainerHandler', () => {
  it("stops after the item at which the chunk's time is up, answering for the items it reached", async () => {
    const { store, create, update } = setUp();
    let looks = 0;
    // It looks before each item after the first; time is up at the third look, before the fourth item.
    const timeUp = () => ++looks >= 3;
    const outcomes = await create.handleChunk(
      null,
      { ...context(), timeUp },
      pending([1, 2, 3, 4, 5].map((w) => ({ refID: `r-${w}`, attributes: { weight: w } }))),
    );
    expect(outcomes).toHaveLength(3);
    expect(store.containers.size).toBe(3);
    const alwaysUp = await create.handleChunk(
      null,
      { ...context(), timeUp: () => true },
      pending([
        { refID: 'a', attributes: { weight: 1 } },
        { refID: 'b', attributes: { weight: 1 } },
      ]),
    );
    expect(alwaysUp).toEqual([{ kind: 'success', resultId: expect.any(String) }]);
    const updated = await update.handleChunk(
      null,
      { ...context(), timeUp: () => true },
      pending([...store.containers.keys()].map((containerId) => ({ containerId, data: {} }))),
    );
    expect(updated).toHaveLength(1);
  });

  it('creates containers with ids {type}:{uuid}, timestamps and actor', async () => {
    const { store, create } = setUp();
    const [outcome] = await create.handleChunk(null, context(), pending([{ refID: 'r-0', attributes: { weight: 2 } }]));
    expect(outcome).toEqual({ kind: 'success', resultId: 'bag:00000000-0000-4000-8000-000000000001' });
    expect(store.containers.get('bag:00000000-0000-4000-8000-000000000001')).toMatchObject({
      refId: 'r-0',
      createdAt: 7000,
      createdBy: { id: 'u-1' },
      isContainerizable: true,
    });
  });

  it('lets the first of two colliding items win, in input order', async () => {
    const { create } = setUp();
    const outcomes = await create.handleChunk(
      null,
      context(),
      pending([
        { refID: 'a', scannableId: 'S1', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] },
        { refID: 'b', scannableId: 'S1', attributes: { weight: 1 } },
        { refID: 'c', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] },
        { refID: 'd', attributes: { weight: 1 }, trackingDetails: [{ operator: 'UPS', trackingId: 'T1' }] },
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'success' ? 'ok' : o.code))).toEqual(['ok', 'SCANNABLE_ID_TAKEN', 'TRACKING_ID_TAKEN', 'ok']);
  });

  it('allows the same scannable id under another type, and the same ids for another tenant', async () => {
    const { create } = setUp();
    await create.handleChunk(null, context(), pending([{ refID: 'a', scannableId: 'S1', attributes: { weight: 1 } }]));
    const [box] = await create.handleChunk(null, context('box'), pending([{ refID: 'b', scannableId: 'S1' }]));
    expect(box!.kind).toBe('success');
    const [other] = await create.handleChunk(null, { ...context(), tenantId: 'globex' }, pending([{ refID: 'c', scannableId: 'S1' }]));
    expect(other!.kind).toBe('success');
  });

  it('checks the parent: it must exist for the tenant and not be a leaf', async () => {
    const { create } = setUp();
    const [bag] = await create.handleChunk(null, context(), pending([{ refID: 'p', attributes: { weight: 1 } }]));
    const [box] = await create.handleChunk(null, context('box'), pending([{ refID: 'x' }]));
    const bagId = bag!.kind === 'success' ? bag!.resultId : '';
    const boxId = box!.kind === 'success' ? box!.resultId : '';
    const outcomes = await create.handleChunk(
      null,
      context('box'),
      pending([
        { refID: 'a', parentId: bagId },
        { refID: 'b', parentId: boxId },
        { refID: 'c', parentId: 'bag:nope' },
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'success' ? 'ok' : o.code))).toEqual(['ok', 'PARENT_INVALID', 'PARENT_INVALID']);
    const [foreign] = await create.handleChunk(null, { ...context('bag'), tenantId: 'globex' }, pending([{ refID: 'd', parentId: bagId }]));
    expect(foreign).toMatchObject({ kind: 'failed', code: 'PARENT_INVALID' });
  });

  it('fails an item alone with the rule it breaks', async () => {
    const { create } = setUp();
    const outcomes = await create.handleChunk(null, context(), pending([{ refID: 'a' }, { refID: 'b', attributes: { weight: 1 } }]));
    expect(outcomes[0]).toEqual({ kind: 'failed', code: 'ATTRIBUTE_INVALID', reason: "attribute 'weight' is required" });
    expect(outcomes[1]!.kind).toBe('success');
  });

  /** The store, counting the owner look-ups the handler makes through it. */
  function counted(store: InMemoryContainerStore) {
    const looks = { scannable: 0, tracking: 0 };
    const provider = {
      within: (tx: null) => {
        const inner = store.within(tx);
        return {
          ...inner,
          scannableOwners: (...args: Parameters<typeof inner.scannableOwners>) => (looks.scannable++, inner.scannableOwners(...args)),
          trackingOwners: (...args: Parameters<typeof inner.trackingOwners>) => (looks.tracking++, inner.trackingOwners(...args)),
        };
      },
    };
    return { looks, create: new CreateContainerHandler(provider, new SequentialIdGenerator()) };
  }
  const dhl = (trackingId: string) => ({ operator: 'DHL', trackingId });

  it('reads no owners for a chunk whose ids nothing holds, and reads them once one is held', async () => {
    const { store } = setUp();
    const { looks, create } = counted(store);
    const fresh = await create.handleChunk(
      null,
      context(),
      pending([{ refID: 'a', scannableId: 'S1', attributes: { weight: 1 }, trackingDetails: [dhl('T1')] }, { refID: 'b' }]),
    );
    expect(fresh.map((o) => o.kind)).toEqual(['success', 'failed']);
    expect(looks).toEqual({ scannable: 0, tracking: 0 });
    const again = await create.handleChunk(
      null,
      context(),
      pending([
        { refID: 'c', attributes: { weight: 1 }, trackingDetails: [dhl('T2')] },
        { refID: 'd', scannableId: 'S1', attributes: { weight: 1 } },
      ]),
    );
    expect(looks).toEqual({ scannable: 1, tracking: 1 });
    expect(again).toEqual([
      { kind: 'success', resultId: expect.any(String) },
      {
        kind: 'failed',
        code: 'SCANNABLE_ID_TAKEN',
        reason: `scannableId 'S1' is already used by container ${fresh[0]!.kind === 'success' ? fresh[0]!.resultId : ''}`,
      },
    ]);
    expect(store.containers.size).toBe(2);
  });

  it('answers a chunk that clashes with stored containers as if it had read their owners first', async () => {
    const { store, create } = setUp();
    const [held] = await create.handleChunk(
      null,
      context(),
      pending([{ refID: 'h', scannableId: 'S1', attributes: { weight: 1 }, trackingDetails: [dhl('T1')] }]),
    );
    const holder = held!.kind === 'success' ? held!.resultId : '';
    const outcomes = await create.handleChunk(
      null,
      context(),
      pending([
        { refID: 'a', attributes: { weight: 1 }, trackingDetails: [dhl('T2')] },
        // A stored container's tracking id comes first in its list, the one item a took second.
        { refID: 'b', attributes: { weight: 1 }, trackingDetails: [dhl('T1'), dhl('T2')] },
        // A held scannable id is named before a parent that does not exist.
        { refID: 'c', scannableId: 'S1', parentId: 'bag:nope', attributes: { weight: 1 } },
        { refID: 'd', attributes: { weight: 1 } },
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'success' ? 'ok' : o.reason))).toEqual([
      'ok',
      `tracking id 'T1' of operator 'DHL' is already used by container ${holder}`,
      `scannableId 'S1' is already used by container ${holder}`,
      'ok',
    ]);
    expect(store.containers.size).toBe(3);
  });
});

describe('UpdateContainerHandler', () => {
  async function withContainer() {
    const fixture = setUp();
    const [created] = await fixture.create.handleChunk(
      null,
      context(),
      pending([{ refID: 'a', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] }]),
    );
    return { ...fixture, id: created!.kind === 'success' ? created!.resultId : '' };
  }

  it('merges attributes, replaces tracking details and frees the dropped ids', async () => {
    const { store, create, update, id } = await withContainer();
    const [outcome] = await update.handleChunk(
      null,
      { ...context(), now: 9000 },
      pending([{ containerId: id, data: { attributes: { weight: 5 }, trackingDetails: [{ operator: 'UPS', trackingId: 'U1' }] } }]),
    );
    expect(outcome).toEqual({ kind: 'success', resultId: id });
    expect(store.containers.get(id)).toMatchObject({
      attributes: { weight: 5 },
      trackingDetails: [{ operator: 'UPS', trackingId: 'U1', isPrimary: true }],
      updatedAt: 9000,
      createdAt: 7000,
    });
    const [reuse] = await create.handleChunk(
      null,
      context(),
      pending([{ refID: 'b', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] }]),
    );
    expect(reuse!.kind).toBe('success');
  });

  it('fails an unknown container, or one of another type or tenant, with CONTAINER_NOT_FOUND', async () => {
    const { update, id } = await withContainer();
    expect((await update.handleChunk(null, context(), pending([{ containerId: 'bag:missing', data: {} }])))[0]).toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    expect((await update.handleChunk(null, context('box'), pending([{ containerId: id, data: {} }])))[0]).toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    expect((await update.handleChunk(null, { ...context(), tenantId: 'globex' }, pending([{ containerId: id, data: {} }])))[0]).toMatchObject({
      code: 'CONTAINER_NOT_FOUND',
    });
  });

  it('keeps its own tracking ids without calling them taken, and refuses another container’s', async () => {
    const { create, update, id } = await withContainer();
    const [same] = await update.handleChunk(
      null,
      context(),
      pending([{ containerId: id, data: { trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] } }]),
    );
    expect(same!.kind).toBe('success');
    await create.handleChunk(null, context(), pending([{ refID: 'z', attributes: { weight: 1 }, trackingDetails: [{ operator: 'FDX', trackingId: 'F1' }] }]));
    const [taken] = await update.handleChunk(
      null,
      context(),
      pending([{ containerId: id, data: { trackingDetails: [{ operator: 'FDX', trackingId: 'F1' }] } }]),
    );
    expect(taken).toMatchObject({ kind: 'failed', code: 'TRACKING_ID_TAKEN' });
  });

  it('refuses removing a required attribute, and items on a non-leaf type', async () => {
    const { update, id } = await withContainer();
    const outcomes = await update.handleChunk(
      null,
      context(),
      pending([
        { containerId: id, data: { attributes: { weight: null } } },
        { containerId: id, data: { items: [{ name: 'Shirt', cost: { total: { amount: 1, currency: 'EUR' } } }] } },
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'failed' ? o.code : 'ok'))).toEqual(['ATTRIBUTE_INVALID', 'ITEMS_NOT_ALLOWED']);
  });
});

describe('file batches', () => {
  const fileContext = (operation: 'create' | 'update', columns: string[]): BatchContext => ({ ...context(), operation, columns });

  it('reads each row by the header, then applies the same rules as JSON items', async () => {
    const { store, create } = setUp();
    const columns = ['refID', 'attributes.weight', 'isHazmat', 'trackingDetails', 'note'];
    const outcomes = await create.handleChunk(
      null,
      fileContext('create', columns),
      pending([
        ['r-0', '2.5', 'TRUE', '[{"operator":"DHL","trackingId":"T1"}]', 'ignored'],
        ['r-1', 'heavy', '', '', ''],
        ['r-2', '1', 'yes', '', ''],
        ['r-3', '1', '', '[{"operator":', ''],
        ['r-4', '1'],
        ['r-5', '', '', '', ''],
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'success' ? 'ok' : `${o.code}: ${o.reason}`))).toEqual([
      'ok',
      "ATTRIBUTE_INVALID: attribute 'weight' must be a number",
      'ITEM_INVALID: isHazmat must be true or false',
      'ROW_INVALID: trackingDetails is not valid JSON',
      'ROW_INVALID: the row has 3 cells fewer than the header has columns',
      expect.stringMatching(/^ATTRIBUTE_INVALID: .*weight/),
    ]);
    expect([...store.containers.values()][0]).toMatchObject({
      refId: 'r-0',
      isHazmat: true,
      attributes: { weight: 2.5 },
      trackingDetails: [{ operator: 'DHL', trackingId: 'T1', isPrimary: true }],
    });
  });

  it('updates from rows: empty cells change nothing, attribute cells merge', async () => {
    const { store, create, update } = setUp();
    const [made] = await create.handleChunk(
      null,
      context(),
      pending([{ refID: 'r-0', attributes: { weight: 1 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1' }] }]),
    );
    const id = made!.kind === 'success' ? made!.resultId : '';
    const outcomes = await update.handleChunk(
      null,
      fileContext('update', ['containerId', 'attributes.weight', 'trackingDetails']),
      pending([
        [id, '9', ''],
        ['bag:nope', '', ''],
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'success' ? 'ok' : o.code))).toEqual(['ok', 'CONTAINER_NOT_FOUND']);
    expect(store.containers.get(id)).toMatchObject({ attributes: { weight: 9 }, trackingDetails: [{ operator: 'DHL', trackingId: 'T1', isPrimary: true }] });
  });
});
