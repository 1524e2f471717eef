// What of a submitted container item is stored (contract §11): its known fields, nested ones too
// (tracking details, item lines, their money and quantities); unknown fields are never stored.
// Shapes the item's rules refuse are kept as they are, for those rules to name when the item is
// processed.
import { isObject, own } from './json-values';

const CREATE_FIELDS = ['refID', 'scannableId', 'trackingDetails', 'attributes', 'items', 'isHazmat', 'isContainerizable', 'isReusable', 'parentId'] as const;
const UPDATE_DATA_FIELDS = ['trackingDetails', 'attributes', 'items'] as const;

function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const value = own(source, field);
    if (value !== undefined) picked[field] = value;
  }
  return picked;
}

/** The known fields of each object in `value` when it is an array; anything else as it is, for the item's rules to judge. */
function eachPicked(value: unknown, clean: (entry: Record<string, unknown>) => Record<string, unknown>): unknown {
  return Array.isArray(value) ? value.map((entry: unknown) => (isObject(entry) ? clean(entry) : entry)) : value;
}

/** `value`'s known fields when it is an object; anything else as it is. */
const picked = (value: unknown, fields: readonly string[]): unknown => (isObject(value) ? pick(value, fields) : value);

const cleanMoney = (money: unknown) => picked(money, ['amount', 'currency']);

function cleanItemLine(line: Record<string, unknown>): Record<string, unknown> {
  const kept = pick(line, ['name', 'code', 'cost', 'quantity']);
  if (isObject(kept.cost)) {
    const cost = pick(kept.cost, ['unit', 'total']);
    for (const part of ['unit', 'total'] as const) if (cost[part] !== undefined) cost[part] = cleanMoney(cost[part]);
    kept.cost = cost;
  }
  if (kept.quantity !== undefined) kept.quantity = picked(kept.quantity, ['value', 'unit']);
  return kept;
}

/** An item's nested lists with only their known fields: tracking details and item lines. */
function cleanNested(fields: Record<string, unknown>): Record<string, unknown> {
  if (fields.trackingDetails !== undefined)
    fields.trackingDetails = eachPicked(fields.trackingDetails, (d) => pick(d, ['operator', 'trackingId', 'isPrimary']));
  if (fields.items !== undefined) fields.items = eachPicked(fields.items, cleanItemLine);
  return fields;
}

/**
 * The fields of a submitted item that are kept, nested ones too (tracking details, item lines,
 * their money and quantities): unknown fields are never stored (contract §11). Attributes are
 * kept whole: an attribute the type does not configure is refused, not ignored.
 */
export function cleanContainerItem(operation: 'create' | 'update', item: Record<string, unknown>): Record<string, unknown> {
  if (operation === 'create') return cleanNested(pick(item, CREATE_FIELDS));
  const data = own(item, 'data');
  return { ...pick(item, ['containerId']), ...(data === undefined ? {} : { data: isObject(data) ? cleanNested(pick(data, UPDATE_DATA_FIELDS)) : data }) };
}
