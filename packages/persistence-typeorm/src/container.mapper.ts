// Containers between their domain snapshot and their row: JSON columns for the nested values.
import { Actor } from '@container-service/batch-domain';
import { ContainerSnapshot } from '@container-service/container-domain';
import { ContainerRow } from './schemas/container.schema';

const json = (value: unknown) => JSON.stringify(value);
const actor = (value: string | null) => (value === null ? null : (JSON.parse(value) as Actor));

export function toContainerRow(c: ContainerSnapshot): ContainerRow {
  return {
    tenantId: c.tenantId,
    id: c.id,
    containerType: c.containerType,
    refId: c.refId,
    scannableId: c.scannableId,
    trackingDetails: json(c.trackingDetails),
    attributes: json(c.attributes),
    items: json(c.items),
    parentId: c.parentId,
    isHazmat: c.isHazmat,
    isContainerizable: c.isContainerizable,
    isReusable: c.isReusable,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdBy: c.createdBy === null ? null : json(c.createdBy),
    updatedBy: c.updatedBy === null ? null : json(c.updatedBy),
  };
}

export function fromContainerRow(r: ContainerRow): ContainerSnapshot {
  return {
    tenantId: r.tenantId,
    id: r.id,
    containerType: r.containerType,
    refId: r.refId,
    scannableId: r.scannableId,
    trackingDetails: JSON.parse(r.trackingDetails) as ContainerSnapshot['trackingDetails'],
    attributes: JSON.parse(r.attributes) as ContainerSnapshot['attributes'],
    items: JSON.parse(r.items) as ContainerSnapshot['items'],
    parentId: r.parentId,
    isHazmat: r.isHazmat,
    isContainerizable: r.isContainerizable,
    isReusable: r.isReusable,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: actor(r.createdBy),
    updatedBy: actor(r.updatedBy),
  };
}

/** Keys per IN list: far below any driver's parameter limit. */
