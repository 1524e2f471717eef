// Storage of container types, per tenant. Names are case-sensitive and unique within a tenant.
import { ContainerType } from './container-type';

export interface ContainerTypePage {
  readonly items: readonly ContainerType[];
  /** Pass back as `after` for the next page; null on the last page. */
  readonly nextAfter: string | null;
}

export interface ContainerTypeRepository {
  /** Adds a new type; 'exists' when the tenant already has one of that name (nothing changes then). */
  add(type: ContainerType): Promise<'added' | 'exists'>;
  save(type: ContainerType): Promise<void>;
  find(tenantId: string, name: string): Promise<ContainerType | null>;
  /** The tenant's types ordered by name, `limit` at a time, starting after the name `after`. */
  list(tenantId: string, page: { readonly limit: number; readonly after?: string | null }): Promise<ContainerTypePage>;
}
