// The CSV columns of container batches (contract §4.3), both ways: a file row's cells read into
// the item a JSON batch would carry, so both kinds of batch go through the same per-item rules;
// and a JSON item written out as cells, so that failed items of any batch export as a file
// that uploads again. Cells are read when the item is processed, against the attribute config in
// force then, as JSON items are.
import { Result, err, ok, parseJsonText } from '@container-service/batch-domain';
import { AttributeConfig } from './attribute-config';
import { ItemRejection } from './container-input';
import { MAX_JSON_DEPTH, textNestsDeeperThan } from './json-depth';

export const ATTRIBUTE_COLUMN_PREFIX = 'attributes.';
export const CREATE_COLUMNS = ['refID', 'scannableId', 'isHazmat', 'isContainerizable', 'isReusable', 'parentId', 'trackingDetails', 'items'] as const;
export const UPDATE_COLUMNS = ['containerId', 'trackingDetails', 'items'] as const;

const KNOWN_COLUMNS = { create: new Set<string>(CREATE_COLUMNS), update: new Set<string>(UPDATE_COLUMNS) };
const TEXT_FIELDS = new Set(['refID', 'scannableId', 'parentId', 'containerId']);
const FLAG_FIELDS = new Set(['isHazmat', 'isContainerizable', 'isReusable']);
const JSON_FIELDS = new Set(['trackingDetails', 'items']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Read = Result<Record<string, unknown>, ItemRejection>;
const rowInvalid = (reason: string): Read => err({ code: 'ROW_INVALID', reason });
const attributeInvalid = (reason: string): Read => err({ code: 'ATTRIBUTE_INVALID', reason });

/** `true`/`false` in any letter case (spreadsheets write TRUE); anything else is kept as text for the field rules to refuse. */
function readFlag(cell: string): unknown {
  const lower = cell.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : cell;
}

function readAttribute(config: AttributeConfig | undefined, name: string, cell: string): Result<unknown, ItemRejection> {
  if (config === undefined || config.dataType === 'string') return ok(cell);
  const refuse = (what: string) => err<ItemRejection>({ code: 'ATTRIBUTE_INVALID', reason: `attribute '${name}' must be ${what}` });
  switch (config.dataType) {
    case 'number':
      return NUMBER.test(cell.trim()) ? ok(Number(cell)) : refuse('a number');
    case 'boolean': {
      const flag = readFlag(cell.trim());
      return typeof flag === 'boolean' ? ok(flag) : refuse('true or false');
    }
    default: {
      // Measured on the text, before parsing: a value nested thousands deep is never built.
      if (textNestsDeeperThan(cell)) return refuse(`JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
      const parsed = parseJsonText(cell);
      if (parsed.ok) return ok(parsed.value);
      return refuse(
        parsed.error === 'not JSON'
          ? `${config.dataType === 'array' ? 'an array' : 'an object'} written as JSON`
          : 'JSON without a number too large to be read',
      );
    }
  }
}

/** A type's attribute configs by name, made once per configs array (a chunk's rows share one). */
const byName = new WeakMap<readonly AttributeConfig[], ReadonlyMap<string, AttributeConfig>>();
function configsByName(attributes: readonly AttributeConfig[]): ReadonlyMap<string, AttributeConfig> {
  let configs = byName.get(attributes);
  if (configs === undefined) byName.set(attributes, (configs = new Map(attributes.map((config) => [config.name, config]))));
  return configs;
}

/**
 * Reads a file row into a create item (`{refID, ...}`) or an update item (`{containerId, data}`).
 * An empty cell is an absent field; unknown columns are ignored. A row with the wrong number of
 * cells, or bad JSON in trackingDetails or items, cannot be read: ROW_INVALID.
 */
export function readFileRow(operation: 'create' | 'update', columns: readonly string[], cells: unknown, attributes: readonly AttributeConfig[]): Read {
  if (!Array.isArray(cells) || cells.some((cell) => typeof cell !== 'string')) return rowInvalid('the row could not be read');
  // Said as the difference: a file without a refID column has one put first in its header and in
  // every row (its rows are named by line), so neither count would be the file's own.
  if (cells.length !== columns.length) {
    const off = Math.abs(cells.length - columns.length);
    return rowInvalid(`the row has ${off} ${off === 1 ? 'cell' : 'cells'} ${cells.length > columns.length ? 'more' : 'fewer'} than the header has columns`);
  }
  const configs = configsByName(attributes);
  const known = KNOWN_COLUMNS[operation];
  const fields: Record<string, unknown> = {};
  const attributeValues: Record<string, unknown> = {};
  let anyAttribute = false;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as string;
    const cell = cells[i] as string;
    if (cell === '') continue;
    if (column.startsWith(ATTRIBUTE_COLUMN_PREFIX)) {
      const name = column.slice(ATTRIBUTE_COLUMN_PREFIX.length);
      if (name === '') continue;
      const value = readAttribute(configs.get(name), name, cell);
      if (!value.ok) return attributeInvalid(value.error.reason);
      Object.defineProperty(attributeValues, name, { value: value.value, enumerable: true, writable: true, configurable: true });
      anyAttribute = true;
      continue;
    }
    if (!known.has(column)) continue;
    if (TEXT_FIELDS.has(column)) fields[column] = cell;
    else if (FLAG_FIELDS.has(column)) fields[column] = readFlag(cell);
    else if (JSON_FIELDS.has(column)) {
      if (textNestsDeeperThan(cell)) return err({ code: 'ITEM_INVALID', reason: `${column} must not nest deeper than ${MAX_JSON_DEPTH} levels` });
      const parsed = parseJsonText(cell);
      if (!parsed.ok) {
        return parsed.error === 'not JSON'
          ? rowInvalid(`${column} is not valid JSON`)
          : err({ code: 'ITEM_INVALID', reason: `${column} holds a number too large to be read` });
      }
      fields[column] = parsed.value;
    }
  }
  if (operation === 'create') return ok({ ...fields, ...(anyAttribute ? { attributes: attributeValues } : {}) });
  const { containerId, ...data } = fields;
  return ok({ containerId, data: { ...data, ...(anyAttribute ? { attributes: attributeValues } : {}) } });
}

/** The §4.3 header for items of `operation` carrying the given attribute names. */
export function fileColumnsFor(operation: 'create' | 'update', attributeNames: readonly string[]): string[] {
  const base: readonly string[] = operation === 'create' ? CREATE_COLUMNS : UPDATE_COLUMNS;
  return [...base, ...attributeNames.map((name) => `${ATTRIBUTE_COLUMN_PREFIX}${name}`)];
}

/** The attribute names a JSON item carries, in its own order. */
export function attributeNamesOf(operation: 'create' | 'update', item: unknown): string[] {
  const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
  const holder = operation === 'create' ? record : (record.data as Record<string, unknown> | undefined);
  const attributes = holder?.attributes;
  return typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes) ? Object.keys(attributes) : [];
}

function toCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A JSON item written as cells under `columns` (from fileColumnsFor), the way readFileRow reads them back. */
export function writeFileRow(operation: 'create' | 'update', columns: readonly string[], item: unknown): string[] {
  const record = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
  const fields = operation === 'create' ? record : { containerId: record.containerId, ...((record.data as Record<string, unknown> | undefined) ?? {}) };
  const attributes = (fields.attributes ?? {}) as Record<string, unknown>;
  return columns.map((column) =>
    column.startsWith(ATTRIBUTE_COLUMN_PREFIX)
      ? toCell(
          Object.prototype.hasOwnProperty.call(attributes, column.slice(ATTRIBUTE_COLUMN_PREFIX.length))
            ? attributes[column.slice(ATTRIBUTE_COLUMN_PREFIX.length)]
            : undefined,
        )
      : toCell(Object.prototype.hasOwnProperty.call(fields, column) ? fields[column] : undefined),
  );
}
