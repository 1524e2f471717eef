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

  async scannableOwner(tenantId: string, containerType: string, scannableId: string): Promise<string | null> {
    for (const c of this.containers.values()) {
      if (c.tenantId === tenantId && c.containerType === containerType && c.scannableId === scannableId) return c.id;
    }
    return null;
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

  async parentOf(tenantId: string, containerId: string) {
    const parent = this.containers.get(containerId);
    if (!parent || parent.tenantId !== tenantId) return null;
    return { isLeaf: this.types.get(`${tenantId}/${parent.containerType}`)?.isLeaf ?? false };
  }

  async find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null> {
    const c = this.containers.get(containerId);
    return c && c.tenantId === tenantId && c.containerType === containerType ? structuredClone(c) : null;
  }

  async insert(container: ContainerSnapshot): Promise<void> {
    if (this.containers.has(container.id)) throw new Error(`container ${container.id} exists`);
    this.containers.set(container.id, structuredClone(container));
  }

  async update(container: ContainerSnapshot): Promise<void> {
    if (!this.containers.has(container.id)) throw new Error(`container ${container.id} is not stored`);
    this.containers.set(container.id, structuredClone(container));
  }
}
