// The keys a container item claims, for ConflictWatch (contract §10): a create claims its
// scannable id and its tracking ids; an update claims the container it changes and the tracking
// ids it sets. Two items of one batch that share a key are then applied in input order however
// the batch is shared out. Read leniently from the stored input (a JSON item, or a file row's
// cells by their columns): a value the item rules will refuse claims nothing, as such an item
// fails whatever its order. Keys are compared as the handlers compare them, without any
// normalisation, so an item the handlers would see as a conflict always shares a key here.
import { BatchOperation, ConflictKeys } from '@container-service/batch-domain';
import { textNestsDeeperThan } from './json-depth';
import { isObject, own } from './json-values';

function trackingKeys(details: unknown, keys: string[] = []): string[] {
  if (!Array.isArray(details)) return keys;
  for (const detail of details as unknown[]) {
    if (!isObject(detail)) continue;
    const operator = own(detail, 'operator');
    const trackingId = own(detail, 'trackingId');
    if (typeof operator === 'string' && typeof trackingId === 'string') keys.push(`t:${operator}\u0000${trackingId}`);
  }
  return keys;
}

function keysOfItem(operation: BatchOperation, item: unknown): string[] {
  if (!isObject(item)) return [];
  if (operation === 'create') {
    const scannableId = own(item, 'scannableId');
    return [...(typeof scannableId === 'string' ? [`s:${scannableId}`] : []), ...trackingKeys(own(item, 'trackingDetails'))];
  }
  const containerId = own(item, 'containerId');
  const data = own(item, 'data');
  return [...(typeof containerId === 'string' ? [`c:${containerId}`] : []), ...(isObject(data) ? trackingKeys(own(data, 'trackingDetails')) : [])];
}

/** A cell holding JSON, parsed; undefined when it is empty, too deep or not JSON. */
function jsonCell(cell: string | undefined): unknown {
  if (cell === undefined || textNestsDeeperThan(cell)) return undefined;
  try {
    // Empty or blank text is not JSON either.
    return JSON.parse(cell) as unknown;
  } catch {
    return undefined;
  }
}

/** Where the cells a row's keys come from sit in its columns (-1: not a column). */
interface KeyColumns {
  readonly scannableId: number;
  readonly containerId: number;
  readonly trackingDetails: number;
}

/** Per list of columns (a batch's, the same array for each of its rows), found once rather than for every row. */
const keyColumnsOf = new WeakMap<readonly string[], KeyColumns>();

function keyColumns(columns: readonly string[]): KeyColumns {
  let found = keyColumnsOf.get(columns);
  if (found === undefined) {
    found = { scannableId: columns.indexOf('scannableId'), containerId: columns.indexOf('containerId'), trackingDetails: columns.indexOf('trackingDetails') };
    keyColumnsOf.set(columns, found);
  }
  return found;
}

/** The non-empty text at `at` of a row's cells. */
function cellAt(cells: readonly unknown[], at: number): string | undefined {
  const value = at < 0 ? undefined : cells[at];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function keysOfRow(operation: BatchOperation, cells: unknown, columns: readonly string[]): string[] {
  if (!Array.isArray(cells) || cells.length !== columns.length) return [];
  const at = keyColumns(columns);
  const own = cellAt(cells, operation === 'create' ? at.scannableId : at.containerId);
  const keys = own === undefined ? [] : [`${operation === 'create' ? 's' : 'c'}:${own}`];
  return trackingKeys(jsonCell(cellAt(cells, at.trackingDetails)), keys);
}

export const containerConflictKeys: ConflictKeys = (operation, input, columns) =>
  columns === null ? keysOfItem(operation, input) : keysOfRow(operation, input, columns);
