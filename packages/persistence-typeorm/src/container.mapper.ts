// Containers between their domain snapshot and their row: JSON columns for the nested values.
// Rows are read through TypeORM's schema (fromContainerRow) and written as statement parameters.
import { Actor } from '@container-service/batch-domain';
import { ContainerSnapshot } from '@container-service/container-domain';
import { ContainerRow } from './schemas/container.schema';
import { flag } from './sql';

const json = (value: unknown) => JSON.stringify(value);
/** An actor's JSON, written once per actor object: a chunk's containers all share the batch's. */
const actorTexts = new WeakMap<Actor, string>();
function actorJson(value: Actor): string {
  let text = actorTexts.get(value);
  if (text === undefined) actorTexts.set(value, (text = json(value)));
  return text;
}
const actor = (value: string | null) => (value === null ? null : (JSON.parse(value) as Actor));

/** The columns of a container's row, in the order `putContainerColumns` writes them. */
export const CONTAINER_COLUMNS =
  'tenant_id, id, container_type, ref_id, scannable_id, tracking_details, attributes, items, parent_id, is_hazmat, is_containerizable, is_reusable, created_at, updated_at, created_by, updated_by';
/** How many columns CONTAINER_COLUMNS names. */
export const CONTAINER_WIDTH = 16;

/**
 * A container's row as statement parameters, in CONTAINER_COLUMNS' order, written into `out` from
 * `at` on: the parameters of a many-row INSERT fill one array, with no array or object per row.
 */
export function putContainerColumns(c: ContainerSnapshot, out: unknown[], at: number): void {
  out[at] = c.tenantId;
  out[at + 1] = c.id;
  out[at + 2] = c.containerType;
  out[at + 3] = c.refId;
  out[at + 4] = c.scannableId;
  out[at + 5] = json(c.trackingDetails);
  out[at + 6] = json(c.attributes);
  out[at + 7] = json(c.items);
  out[at + 8] = c.parentId;
  out[at + 9] = flag(c.isHazmat);
  out[at + 10] = flag(c.isContainerizable);
  out[at + 11] = flag(c.isReusable);
  out[at + 12] = c.createdAt;
  out[at + 13] = c.updatedAt;
  out[at + 14] = c.createdBy === null ? null : actorJson(c.createdBy);
  out[at + 15] = c.updatedBy === null ? null : actorJson(c.updatedBy);
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
