// In-memory containers for tests: the store handlers write through, and the reader.
import { AttributeConfig } from '../attribute-config';
import { ContainerReader, ContainerSnapshot, ContainerStore, ContainerStoreProvider, TrackingOwner } from '../container';

export class InMemoryContainerStore implements ContainerStore, ContainerStoreProvider<unknown>, ContainerReader {
  readonly containers = new Map<string, ContainerSnapshot>();
  private readonly types = new Map<string, { isLeaf: boolean; attributes: AttributeConfig[] }>();

  withType(tenantId: string, name: string, isLeaf: boolean, attributes: AttributeConfig[] = []): this {
    this.types.set(`${tenantId}/${name}`, { isLeaf, attributes });
    return this;
  }

  within(): ContainerStore {
    return this;
  }

  async findType(tenantId: string, name: string) {
    return this.types.get(`${tenantId}/${name}`) ?? null;
  }

  async scannableOwners(tenantId: string, containerType: string, scannableIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const owners = new Map<string, string>();
    for (const c of this.containers.values()) {
      if (c.tenantId === tenantId && c.containerType === containerType && c.scannableId !== null && scannableIds.includes(c.scannableId)) owners.set(c.scannableId, c.id);
    }
    return owners;
  }

  async trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]> {
    const owners: TrackingOwner[] = [];
    for (const c of this.containers.values()) {
      if (c.tenantId !== tenantId) continue;
      for (const d of c.trackingDetails) {
        if (details.some((w) => w.operator === d.operator && w.trackingId === d.trackingId)) owners.push({ operator: d.operator, trackingId: d.trackingId, containerId: c.id });
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
    for (const container of containers) {
      if (this.containers.has(container.id)) throw new Error(`container ${container.id} exists`);
      this.containers.set(container.id, structuredClone(container));
    }
  }

  async update(container: ContainerSnapshot): Promise<void> {
    if (!this.containers.has(container.id)) throw new Error(`container ${container.id} is not stored`);
    this.containers.set(container.id, structuredClone(container));
  }
}
