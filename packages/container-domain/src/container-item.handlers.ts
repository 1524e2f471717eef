// The batch item handlers for containers: create and update, each item checked against the
// per-item rules, then against stored data (unique scannable and tracking ids, the parent, the
// container being updated), then written. Items are applied in input order inside the chunk's
// transaction, so when two items of a batch collide, the first wins.
import { BatchContext, HandledOutcome, IdGenerator, ItemHandler, PendingItem } from '@container-service/batch-domain';
import { ContainerSnapshot, ContainerStore, ContainerStoreProvider } from './container';
import { readFileRow } from './container-file-row';
import { TrackingDetail, TypeRules, mergeAttributes, parseCreateInput, parseUpdateInput } from './container-input';

const failed = (code: string, reason: string): HandledOutcome => ({ kind: 'failed', code, reason });

type ApplyItem = (store: ContainerStore, rules: TypeRules, context: BatchContext, item: PendingItem) => Promise<HandledOutcome>;

/**
 * Loads the type's rules once per chunk, then applies the items one after the other, in order.
 * A file batch's items are rows of cells: each is read into the item a JSON batch would carry first.
 */
async function applyInOrder(store: ContainerStore, context: BatchContext, items: readonly PendingItem[], apply: ApplyItem): Promise<HandledOutcome[]> {
  const type = await store.findType(context.tenantId, context.targetType);
  const outcomes: HandledOutcome[] = [];
  for (const item of items) {
    if (type === null) {
      outcomes.push(failed('CONTAINER_TYPE_NOT_FOUND', `container type '${context.targetType}' no longer exists`));
      continue;
    }
    const rules = { isLeaf: type.isLeaf, attributes: type.attributes };
    if (context.columns === null) {
      outcomes.push(await apply(store, rules, context, item));
      continue;
    }
    const read = readFileRow(context.operation, context.columns, item.input, type.attributes);
    outcomes.push(read.ok ? await apply(store, rules, context, { ...item, input: read.value }) : failed(read.error.code, read.error.reason));
  }
  return outcomes;
}

async function trackingConflict(store: ContainerStore, tenantId: string, details: readonly TrackingDetail[], self: string | null): Promise<HandledOutcome | null> {
  if (details.length === 0) return null;
  const taken = (await store.trackingOwners(tenantId, details)).filter((owner) => owner.containerId !== self);
  const first = taken[0];
  return first ? failed('TRACKING_ID_TAKEN', `tracking id '${first.trackingId}' of operator '${first.operator}' is already used by container ${first.containerId}`) : null;
}

export class CreateContainerHandler<Tx> implements ItemHandler<Tx> {
  constructor(
    private readonly stores: ContainerStoreProvider<Tx>,
    private readonly ids: IdGenerator,
  ) {}

  handleChunk(tx: Tx, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    return applyInOrder(this.stores.within(tx), context, items, (store, rules, ctx, item) => this.create(store, rules, ctx, item));
  }

  private async create(store: ContainerStore, rules: TypeRules, context: BatchContext, item: PendingItem): Promise<HandledOutcome> {
    const parsed = parseCreateInput(item.input, rules);
    if (!parsed.ok) return failed(parsed.error.code, parsed.error.reason);
    const input = parsed.value;
    if (input.scannableId !== null) {
      const owner = await store.scannableOwner(context.tenantId, context.targetType, input.scannableId);
      if (owner !== null) return failed('SCANNABLE_ID_TAKEN', `scannableId '${input.scannableId}' is already used by container ${owner}`);
    }
    const conflict = await trackingConflict(store, context.tenantId, input.trackingDetails, null);
    if (conflict) return conflict;
    if (input.parentId !== null) {
      const parent = await store.parentOf(context.tenantId, input.parentId);
      if (parent === null) return failed('PARENT_INVALID', `parentId '${input.parentId}' is not a container of this tenant`);
      if (parent.isLeaf) return failed('PARENT_INVALID', `parentId '${input.parentId}' is a leaf container and cannot hold others`);
    }
    const container: ContainerSnapshot = {
      id: `${context.targetType}:${this.ids.uuid()}`,
      tenantId: context.tenantId,
      containerType: context.targetType,
      refId: input.refId,
      scannableId: input.scannableId,
      trackingDetails: input.trackingDetails,
      attributes: input.attributes,
      items: input.items,
      parentId: input.parentId,
      isHazmat: input.isHazmat,
      isContainerizable: input.isContainerizable,
      isReusable: input.isReusable,
      createdAt: context.now,
      updatedAt: context.now,
      createdBy: context.createdBy,
      updatedBy: context.createdBy,
    };
    await store.insert(container);
    return { kind: 'success', resultId: container.id };
  }
}

export class UpdateContainerHandler<Tx> implements ItemHandler<Tx> {
  constructor(private readonly stores: ContainerStoreProvider<Tx>) {}

  handleChunk(tx: Tx, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    return applyInOrder(this.stores.within(tx), context, items, (store, rules, ctx, item) => this.update(store, rules, ctx, item));
  }

  private async update(store: ContainerStore, rules: TypeRules, context: BatchContext, item: PendingItem): Promise<HandledOutcome> {
    const parsed = parseUpdateInput(item.input, rules);
    if (!parsed.ok) return failed(parsed.error.code, parsed.error.reason);
    const change = parsed.value;
    const stored = await store.find(context.tenantId, context.targetType, change.containerId);
    if (stored === null) return failed('CONTAINER_NOT_FOUND', `container '${change.containerId}' does not exist for this tenant and type '${context.targetType}'`);
    if (change.trackingDetails) {
      const conflict = await trackingConflict(store, context.tenantId, change.trackingDetails, stored.id);
      if (conflict) return conflict;
    }
    let attributes = stored.attributes;
    if (change.attributes) {
      const merged = mergeAttributes(stored.attributes, change.attributes, rules.attributes);
      if (!merged.ok) return failed(merged.error.code, merged.error.reason);
      attributes = merged.value;
    }
    await store.update({
      ...stored,
      attributes,
      ...(change.trackingDetails ? { trackingDetails: change.trackingDetails } : {}),
      ...(change.items ? { items: change.items } : {}),
      updatedAt: context.now,
      updatedBy: context.createdBy,
    });
    return { kind: 'success', resultId: stored.id };
  }
}
