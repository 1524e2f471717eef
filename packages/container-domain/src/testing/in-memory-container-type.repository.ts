// In-memory ContainerTypeRepository for tests.
import { ContainerType, ContainerTypeSnapshot } from '../container-type';
import { ContainerTypePage, ContainerTypeRepository } from '../container-type-repository.port';

export class InMemoryContainerTypeRepository implements ContainerTypeRepository {
  private readonly types = new Map<string, ContainerTypeSnapshot>();

  async add(type: ContainerType): Promise<'added' | 'exists'> {
    const key = this.key(type.tenantId, type.name);
    if (this.types.has(key)) return 'exists';
    this.types.set(key, structuredClone(type.toSnapshot()));
    return 'added';
  }

  async save(type: ContainerType): Promise<void> {
    const key = this.key(type.tenantId, type.name);
    if (!this.types.has(key)) throw new Error(`Container type ${type.name} is not stored`);
    this.types.set(key, structuredClone(type.toSnapshot()));
  }

  async find(tenantId: string, name: string): Promise<ContainerType | null> {
    const snapshot = this.types.get(this.key(tenantId, name));
    return snapshot ? ContainerType.fromSnapshot(structuredClone(snapshot)) : null;
  }

  async list(tenantId: string, page: { limit: number; after?: string | null }): Promise<ContainerTypePage> {
    const all = [...this.types.values()]
      .filter((t) => t.tenantId === tenantId && (!page.after || t.name > page.after))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const items = all.slice(0, page.limit).map((s) => ContainerType.fromSnapshot(structuredClone(s)));
    return { items, nextAfter: all.length > page.limit ? items[items.length - 1]!.name : null };
  }

  private key(tenantId: string, name: string): string {
    return `${tenantId}\u0000${name}`;
  }
}
