// The keys a container item claims, for ConflictWatch (contract §10): a create claims its
// scannable id and its tracking ids; an update claims the container it changes and the tracking
// ids it sets. Two items of one batch that share a key are then applied in input order however
// the batch is shared out. Read leniently from the stored input (a JSON item, or a file row's
// cells by their columns): a value the item rules will refuse claims nothing, as such an item
// fails whatever its order. Keys are compared as the handlers compare them, without any
// normalisation, so an item the handlers would see as a conflict always shares a key here.
import { BatchOperation, ConflictKeys } from '@container-service/batch-domain';
import { textNestsDeeperThan } from './json-depth';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (record: Record<string, unknown>, field: string): unknown => (Object.prototype.hasOwnProperty.call(record, field) ? record[field] : undefined);

function trackingKeys(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((detail) => {
    if (!isRecord(detail)) return [];
    const operator = own(detail, 'operator');
    const trackingId = own(detail, 'trackingId');
    return typeof operator === 'string' && typeof trackingId === 'string' ? [`t:${operator}\u0000${trackingId}`] : [];
  });
}

function keysOfItem(operation: BatchOperation, item: unknown): string[] {
  if (!isRecord(item)) return [];
  if (operation === 'create') {
    const scannableId = own(item, 'scannableId');
    return [...(typeof scannableId === 'string' ? [`s:${scannableId}`] : []), ...trackingKeys(own(item, 'trackingDetails'))];
  }
  const containerId = own(item, 'containerId');
  const data = own(item, 'data');
  return [...(typeof containerId === 'string' ? [`c:${containerId}`] : []), ...(isRecord(data) ? trackingKeys(own(data, 'trackingDetails')) : [])];
}

/** A cell holding JSON, parsed; undefined when it is empty, too deep or not JSON. */
function jsonCell(cell: string | undefined): unknown {
  if (cell === undefined || cell.trim() === '' || textNestsDeeperThan(cell)) return undefined;
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return undefined;
  }
}

function keysOfRow(operation: BatchOperation, cells: unknown, columns: readonly string[]): string[] {
  if (!Array.isArray(cells) || cells.length !== columns.length) return [];
  const cell = (name: string): string | undefined => {
    const at = columns.indexOf(name);
    const value: unknown = at < 0 ? undefined : cells[at];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const tracking = trackingKeys(jsonCell(cell('trackingDetails')));
  if (operation === 'create') {
    const scannableId = cell('scannableId');
    return [...(scannableId === undefined ? [] : [`s:${scannableId}`]), ...tracking];
  }
  const containerId = cell('containerId');
  return [...(containerId === undefined ? [] : [`c:${containerId}`]), ...tracking];
}

export const containerConflictKeys: ConflictKeys = (operation, input, columns) =>
  columns === null ? keysOfItem(operation, input) : keysOfRow(operation, input, columns);
