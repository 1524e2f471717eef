// The batch item handlers for containers: create and update. Each item is checked against the
// per-item rules, then against stored data (unique scannable and tracking ids, the parent, the
// container being updated), then written. A chunk reads everything its items refer to in a few
// set-based queries first, then applies the items in input order against that picture, keeping
// it current as it goes, so when two items of a batch collide the first wins. The database's
// unique keys stay the last word: a write the picture missed fails the whole chunk. A create
// chunk tries first without reading the owners of its ids, which in the usual case hold none.
import { BatchContext, HandledOutcome, IdGenerator, ItemHandler, PendingItem } from '@container-service/batch-domain';
import { AttributeConfig } from './attribute-config';
import { ContainerSnapshot, ContainerStore, ContainerStoreProvider } from './container';
import { readFileRow } from './container-file-row';
import {
  ContainerCreateInput,
  ContainerUpdateInput,
  ItemRejection,
  TrackingDetail,
  TypeRules,
  mergeAttributes,
  parseCreateInput,
  parseUpdateInput,
} from './container-input';
import { Result } from '@container-service/batch-domain';

const failed = (code: string, reason: string): HandledOutcome => ({ kind: 'failed', code, reason });
const trackingKey = (d: { operator: string; trackingId: string }) => `${d.operator}\u0000${d.trackingId}`;
const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];

type StoredType = { readonly isLeaf: boolean; readonly attributes: readonly AttributeConfig[] };

/**
 * Reads each item into its input (a file row's cells first into the item a JSON batch would
 * carry), then parses it; the type's rules come from the store once per chunk. Parsing is where
 * an item's values are judged, so it stops early once the chunk's time is up: the handler then
 * applies, and answers for, only the items parsed.
 */
async function parseChunk<T>(
  store: ContainerStore,
  context: BatchContext,
  items: readonly PendingItem[],
  parse: (raw: unknown, rules: TypeRules) => Result<T, ItemRejection>,
): Promise<{ type: StoredType | null; parsed: Array<Result<T, ItemRejection>> }> {
  const type = await store.findType(context.tenantId, context.targetType);
  if (type === null) return { type, parsed: [] };
  const rules = { isLeaf: type.isLeaf, attributes: type.attributes };
  const parsed: Array<Result<T, ItemRejection>> = [];
  for (const item of items) {
    if (parsed.length > 0 && context.timeUp()) break;
    if (context.columns === null) {
      parsed.push(parse(item.input, rules));
      continue;
    }
    const read = readFileRow(context.operation, context.columns, item.input, type.attributes);
    parsed.push(read.ok ? parse(read.value, rules) : read);
  }
  return { type, parsed };
}

const typeGone = (context: BatchContext, items: readonly PendingItem[]) =>
  items.map(() => failed('CONTAINER_TYPE_NOT_FOUND', `container type '${context.targetType}' no longer exists`));

/** Who holds each tracking id the chunk mentions, kept current as the chunk's items are applied. */
class TrackingPicture {
  private readonly owners = new Map<string, string>();

  constructor(owners: readonly { operator: string; trackingId: string; containerId: string }[]) {
    for (const owner of owners) this.owners.set(trackingKey(owner), owner.containerId);
  }

  /** The first of `details` held by a container other than `self`. */
  conflict(details: readonly TrackingDetail[], self: string | null): HandledOutcome | null {
    for (const d of details) {
      const owner = this.owners.get(trackingKey(d));
      if (owner !== undefined && owner !== self) {
        return failed('TRACKING_ID_TAKEN', `tracking id '${d.trackingId}' of operator '${d.operator}' is already used by container ${owner}`);
      }
    }
    return null;
  }

  /** `containerId` now holds `details` instead of `previous`. */
  assign(containerId: string, details: readonly TrackingDetail[], previous: readonly TrackingDetail[] = []): void {
    for (const d of previous) if (this.owners.get(trackingKey(d)) === containerId) this.owners.delete(trackingKey(d));
    for (const d of details) this.owners.set(trackingKey(d), containerId);
  }
}

export class CreateContainerHandler<Tx> implements ItemHandler<Tx> {
  constructor(
    private readonly stores: ContainerStoreProvider<Tx>,
    private readonly ids: IdGenerator,
  ) {}

  async handleChunk(tx: Tx, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    const store = this.stores.within(tx);
    const { type, parsed } = await parseChunk(store, context, items, parseCreateInput);
    if (type === null) return typeGone(context, items);
    const inputs = parsed.flatMap((p) => (p.ok ? [p.value] : []));
    // One after another: every read goes through the chunk's transaction, which is one connection.
    const parents = await store.parents(context.tenantId, unique(inputs.flatMap((i) => (i.parentId === null ? [] : [i.parentId]))));
    // First as if no stored container held any of the chunk's ids: when no item then fails a check
    // and the store takes every container, that is the answer the owners would have given (no
    // owner of any of these ids exists), without reading them. Anything else is judged again
    // against the owners, from the start, as if the first try had not been made.
    const unseen = this.judge(parsed, new Map(), new TrackingPicture([]), parents, context);
    if (unseen.checked && (await store.insertManyIfFree(unseen.created))) return unseen.outcomes;
    const scannables = await store.scannableOwners(
      context.tenantId,
      context.targetType,
      unique(inputs.flatMap((i) => (i.scannableId === null ? [] : [i.scannableId]))),
    );
    const tracking = await store.trackingOwners(
      context.tenantId,
      inputs.flatMap((i) => i.trackingDetails),
    );
    const judged = this.judge(parsed, new Map(scannables), new TrackingPicture(tracking), parents, context);
    await store.insertMany(judged.created);
    return judged.outcomes;
  }

  /**
   * Each item's outcome in input order against the owners given, which it keeps current; the
   * containers to create, and whether every parsed item passed its checks.
   */
  private judge(
    parsed: ReadonlyArray<Result<ContainerCreateInput, ItemRejection>>,
    scannableTaken: Map<string, string>,
    trackingTaken: TrackingPicture,
    parents: ReadonlyMap<string, { isLeaf: boolean }>,
    context: BatchContext,
  ): { outcomes: HandledOutcome[]; created: ContainerSnapshot[]; checked: boolean } {
    const created: ContainerSnapshot[] = [];
    let checked = true;
    const outcomes = parsed.map((result): HandledOutcome => {
      if (!result.ok) return failed(result.error.code, result.error.reason);
      const outcome = this.check(result.value, scannableTaken, trackingTaken, parents);
      if (outcome) {
        checked = false;
        return outcome;
      }
      const container = this.build(result.value, context);
      created.push(container);
      if (container.scannableId !== null) scannableTaken.set(container.scannableId, container.id);
      trackingTaken.assign(container.id, container.trackingDetails);
      return { kind: 'success', resultId: container.id };
    });
    return { outcomes, created, checked };
  }

  private check(
    input: ContainerCreateInput,
    scannables: ReadonlyMap<string, string>,
    tracking: TrackingPicture,
    parents: ReadonlyMap<string, { isLeaf: boolean }>,
  ): HandledOutcome | null {
    if (input.scannableId !== null) {
      const owner = scannables.get(input.scannableId);
      if (owner !== undefined) return failed('SCANNABLE_ID_TAKEN', `scannableId '${input.scannableId}' is already used by container ${owner}`);
    }
    const conflict = tracking.conflict(input.trackingDetails, null);
    if (conflict) return conflict;
    if (input.parentId !== null) {
      const parent = parents.get(input.parentId);
      if (parent === undefined) return failed('PARENT_INVALID', `parentId '${input.parentId}' is not a container of this tenant`);
      if (parent.isLeaf) return failed('PARENT_INVALID', `parentId '${input.parentId}' is a leaf container and cannot hold others`);
    }
    return null;
  }

  private build(input: ContainerCreateInput, context: BatchContext): ContainerSnapshot {
    return {
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
  }
}

export class UpdateContainerHandler<Tx> implements ItemHandler<Tx> {
  constructor(private readonly stores: ContainerStoreProvider<Tx>) {}

  async handleChunk(tx: Tx, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    const store = this.stores.within(tx);
    const { type, parsed } = await parseChunk(store, context, items, parseUpdateInput);
    if (type === null) return typeGone(context, items);
    const changes = parsed.flatMap((p) => (p.ok ? [p.value] : []));
    // One after another: every read goes through the chunk's transaction, which is one connection.
    const containers = await store.findMany(context.tenantId, context.targetType, unique(changes.map((c) => c.containerId)));
    const tracking = await store.trackingOwners(
      context.tenantId,
      changes.flatMap((c) => c.trackingDetails ?? []),
    );
    const current = new Map(containers);
    const trackingTaken = new TrackingPicture(tracking);
    const outcomes: HandledOutcome[] = [];
    for (const result of parsed) {
      if (!result.ok) {
        outcomes.push(failed(result.error.code, result.error.reason));
        continue;
      }
      const outcome = this.apply(result.value, current, trackingTaken, type.attributes, context);
      if (outcome.kind === 'success') {
        const updated = current.get(outcome.resultId);
        if (updated === undefined) throw new Error(`container '${outcome.resultId}' was updated but is missing from the chunk's picture`);
        await store.update(updated);
      }
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private apply(
    change: ContainerUpdateInput,
    current: Map<string, ContainerSnapshot>,
    tracking: TrackingPicture,
    attributeConfigs: readonly AttributeConfig[],
    context: BatchContext,
  ): HandledOutcome {
    const stored = current.get(change.containerId);
    if (stored === undefined)
      return failed('CONTAINER_NOT_FOUND', `container '${change.containerId}' does not exist for this tenant and type '${context.targetType}'`);
    if (change.trackingDetails) {
      const conflict = tracking.conflict(change.trackingDetails, stored.id);
      if (conflict) return conflict;
    }
    let attributes = stored.attributes;
    if (change.attributes) {
      const merged = mergeAttributes(stored.attributes, change.attributes, attributeConfigs);
      if (!merged.ok) return failed(merged.error.code, merged.error.reason);
      attributes = merged.value;
    }
    const updated: ContainerSnapshot = {
      ...stored,
      attributes,
      ...(change.trackingDetails ? { trackingDetails: change.trackingDetails } : {}),
      ...(change.items ? { items: change.items } : {}),
      updatedAt: context.now,
      updatedBy: context.createdBy,
    };
    if (change.trackingDetails) tracking.assign(stored.id, change.trackingDetails, stored.trackingDetails);
    current.set(stored.id, updated);
    return { kind: 'success', resultId: stored.id };
  }
}
