// A stored container, as the handlers write it and GET /{containerType}/{containerId} reads it.
import { Actor } from '@container-service/batch-domain';
import { AttributeConfig } from './attribute-config';
import { Attributes, ItemLine, TrackingDetail } from './container-input';

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

/** Container storage as seen from inside one transaction. */
export interface ContainerStore {
  findType(tenantId: string, name: string): Promise<{ readonly isLeaf: boolean; readonly attributes: readonly AttributeConfig[] } | null>;
  /** The id of the container of this tenant and type that holds the scannable id, if any. */
  scannableOwner(tenantId: string, containerType: string, scannableId: string): Promise<string | null>;
  /** Which of these (operator, trackingId) pairs a container of the tenant holds already. */
  trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]>;
  /** The container's type's leaf flag, or null when the tenant has no such container. */
  parentOf(tenantId: string, containerId: string): Promise<{ readonly isLeaf: boolean } | null>;
  find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null>;
  insert(container: ContainerSnapshot): Promise<void>;
  /** Replaces the stored container, its tracking ids included. */
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
