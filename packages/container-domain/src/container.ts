// A stored container, as the handlers write it and GET /{containerType}/{containerId} reads it.
import { Actor } from '@container-service/batch-domain';
import { AttributeConfig } from './attribute-config';
import { Attributes, ItemLine, TrackingDetail } from './container-input';

/**
 * The lifecycle state of every container here, in the original's `<state>:<substate>` form: this
 * service has no state machine, and a container made by a batch stays in the state it is made in.
 */
export const CONTAINER_CREATED_STATE = 'created:created';

export interface ContainerSnapshot {
  /** `{containerType}:{uuid}` */
  readonly id: string;
  readonly tenantId: string;
  readonly containerType: string;
  readonly refId: string | null;
  readonly scannableId: string | null;
  readonly trackingDetails: readonly TrackingDetail[];
  readonly attributes: Attributes;
  readonly items: readonly ItemLine[];
  readonly parentId: string | null;
  readonly isHazmat: boolean;
  readonly isContainerizable: boolean;
  readonly isReusable: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: Actor | null;
  readonly updatedBy: Actor | null;
}

export interface TrackingOwner {
  readonly operator: string;
  readonly trackingId: string;
  readonly containerId: string;
}

/**
 * Container storage as seen from inside one transaction. Reads take a whole chunk's keys at once,
 * so a chunk of items costs a handful of statements, not several per item. A scannable id belongs
 * to one container of a tenant and type, a tracking id (operator and id) to one container of a
 * tenant: the handlers check that first, and the store is the last word, rejecting a write that
 * breaks it, which rolls the whole chunk back. A chunk whose items clash with nothing in the chunk
 * is first stored without looking owners up (insertManyIfFree); only when that finds an id taken
 * are the owners read and each item judged against them.
 */
export interface ContainerStore {
  findType(tenantId: string, name: string): Promise<{ readonly isLeaf: boolean; readonly attributes: readonly AttributeConfig[] } | null>;
  /** The ids of the containers of this tenant and type that hold these scannable ids, by scannable id. */
  scannableOwners(tenantId: string, containerType: string, scannableIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Which of these (operator, trackingId) pairs a container of the tenant holds already. */
  trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]>;
  /** The leaf flag of each of these containers' types, by container id; ids that are not the tenant's are left out. */
  parents(tenantId: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, { readonly isLeaf: boolean }>>;
  /** These containers of the tenant and type, by id. */
  findMany(tenantId: string, containerType: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, ContainerSnapshot>>;
  /** Stores new containers with their tracking ids; rejects when one takes an id another container holds. */
  insertMany(containers: readonly ContainerSnapshot[]): Promise<void>;
  /**
   * Stores new containers with their tracking ids when none takes an id or a scannable id another
   * container holds (on a store with concurrent writers, one whose writer has not committed yet
   * counts once it commits), and answers true; otherwise stores none of them, leaves the
   * transaction as it was and answers false.
   */
  insertManyIfFree(containers: readonly ContainerSnapshot[]): Promise<boolean>;
  /** Replaces the stored container, its tracking ids included; rejects when the tenant has no such container, or it takes an id another container holds. */
  update(container: ContainerSnapshot): Promise<void>;
}

/** Gives the container store bound to a processing transaction. */
export interface ContainerStoreProvider<Tx> {
  within(tx: Tx): ContainerStore;
}

/** Reads containers outside processing (the GET route). */
export interface ContainerReader {
  find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null>;
}
