// In-memory containers for tests: the store handlers write through, and the reader. It refuses
// what the database's unique keys refuse, and its writes join the in-memory batch store's
// transaction, so that a chunk that throws leaves none of them (see the contract suite).
import type { InMemoryTx } from '@container-service/batch-domain/testing';
import { AttributeConfig } from '../attribute-config';
import { ContainerReader, ContainerSnapshot, ContainerStore, ContainerStoreProvider, TrackingOwner } from '../container';

/** What a database's unique keys would refuse: an id, scannable id or tracking id already held. */
class HeldKey extends Error {}

/** Where a transaction's writes are undone; null writes outside any (handler tests). */
type Scope = Pick<InMemoryTx, 'onRollback'> | null;

const trackingKey = (tenantId: string, d: { operator: string; trackingId: string }) => `${tenantId}\u0000${d.operator}\u0000${d.trackingId}`;
const scannableKey = (c: ContainerSnapshot) => (c.scannableId === null ? null : `${c.tenantId}\u0000${c.containerType}\u0000${c.scannableId}`);

export class InMemoryContainerStore implements ContainerStore, ContainerStoreProvider<Scope>, ContainerReader {
  /** Stored containers by id; read by tests. */
  readonly containers = new Map<string, ContainerSnapshot>();
  private readonly types = new Map<string, { isLeaf: boolean; attributes: AttributeConfig[] }>();

  withType(tenantId: string, name: string, isLeaf: boolean, attributes: AttributeConfig[] = []): this {
    this.types.set(`${tenantId}/${name}`, { isLeaf, attributes });
    return this;
  }

  /** The store as seen from inside `tx`: its writes are undone if `tx` rolls back. */
  within(tx: Scope): ContainerStore {
    return {
      findType: (tenantId, name) => this.findType(tenantId, name),
      scannableOwners: (tenantId, containerType, ids) => this.scannableOwners(tenantId, containerType, ids),
      trackingOwners: (tenantId, details) => this.trackingOwners(tenantId, details),
      parents: (tenantId, ids) => this.parents(tenantId, ids),
      findMany: (tenantId, containerType, ids) => this.findMany(tenantId, containerType, ids),
      insertMany: async (containers) => this.write(tx, containers, false),
      insertManyIfFree: async (containers) => this.writeIfFree(tx, containers),
      update: async (container) => this.write(tx, [container], true),
    };
  }

  async findType(tenantId: string, name: string) {
    return this.types.get(`${tenantId}/${name}`) ?? null;
  }

  async scannableOwners(tenantId: string, containerType: string, scannableIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const owners = new Map<string, string>();
    for (const c of this.containers.values()) {
      if (c.tenantId === tenantId && c.containerType === containerType && c.scannableId !== null && scannableIds.includes(c.scannableId))
        owners.set(c.scannableId, c.id);
    }
    return owners;
  }

  async trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]> {
    const owners: TrackingOwner[] = [];
    for (const c of this.containers.values()) {
      if (c.tenantId !== tenantId) continue;
      for (const d of c.trackingDetails) {
        if (details.some((w) => w.operator === d.operator && w.trackingId === d.trackingId))
          owners.push({ operator: d.operator, trackingId: d.trackingId, containerId: c.id });
      }
    }
    return owners;
  }

  async parents(tenantId: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, { isLeaf: boolean }>> {
    const found = new Map<string, { isLeaf: boolean }>();
    for (const id of containerIds) {
      const parent = this.containers.get(id);
      if (parent && parent.tenantId === tenantId) found.set(id, { isLeaf: this.types.get(`${tenantId}/${parent.containerType}`)?.isLeaf ?? false });
    }
    return found;
  }

  async findMany(tenantId: string, containerType: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, ContainerSnapshot>> {
    const found = new Map<string, ContainerSnapshot>();
    for (const id of containerIds) {
      const c = this.containers.get(id);
      if (c && c.tenantId === tenantId && c.containerType === containerType) found.set(id, structuredClone(c));
    }
    return found;
  }

  async find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null> {
    return (await this.findMany(tenantId, containerType, [containerId])).get(containerId) ?? null;
  }

  async insertMany(containers: readonly ContainerSnapshot[]): Promise<void> {
    this.write(null, containers, false);
  }

  async update(container: ContainerSnapshot): Promise<void> {
    this.write(null, [container], true);
  }

  async insertManyIfFree(containers: readonly ContainerSnapshot[]): Promise<boolean> {
    return this.writeIfFree(null, containers);
  }

  /** write's all or none, answered as true or false when a key is held; any other failure throws. */
  private writeIfFree(tx: Scope, containers: readonly ContainerSnapshot[]): boolean {
    try {
      this.write(tx, containers, false);
      return true;
    } catch (error) {
      if (error instanceof HeldKey) return false;
      throw error;
    }
  }

  /**
   * Inserts (or replaces) all of `containers` or, when one breaks a unique key or names a
   * container that is not there, none of them; what it overwrites is put back if `tx` rolls back.
   */
  private write(tx: Scope, containers: readonly ContainerSnapshot[], replace: boolean): void {
    const taken = this.uniqueKeys(new Set(replace ? containers.map((c) => c.id) : []));
    for (const c of containers) {
      const stored = this.containers.get(c.id);
      if (replace && stored?.tenantId !== c.tenantId) throw new Error(`container ${c.id} is not stored`);
      if (!replace && stored !== undefined) throw new HeldKey(`container ${c.id} exists`);
      for (const key of [scannableKey(c), ...c.trackingDetails.map((d) => trackingKey(c.tenantId, d))]) {
        if (key === null) continue;
        if (taken.has(key)) throw new HeldKey(`container ${c.id} takes a unique id already held (${key.replaceAll('\u0000', '/')})`);
        taken.add(key);
      }
    }
    for (const c of containers) {
      const before = this.containers.get(c.id);
      this.containers.set(c.id, structuredClone(c));
      tx?.onRollback(() => (before === undefined ? this.containers.delete(c.id) : this.containers.set(c.id, before)));
    }
  }

  /** The unique keys (scannable ids, tracking ids) held by stored containers other than `except`. */
  private uniqueKeys(except: ReadonlySet<string>): Set<string> {
    const keys = new Set<string>();
    for (const c of this.containers.values()) {
      if (except.has(c.id)) continue;
      const scannable = scannableKey(c);
      if (scannable !== null) keys.add(scannable);
      for (const d of c.trackingDetails) keys.add(trackingKey(c.tenantId, d));
    }
    return keys;
  }
}
