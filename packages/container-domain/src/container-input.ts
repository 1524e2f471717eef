// The per-item rules of a container create or update (contract §4.1, §4.2) that need nothing but
// the item and its container type: field shapes, tracking details, items on leaf types, money and
// quantities, the three flags, and attributes against the type's configuration. Rules that need
// stored data (unique scannable and tracking ids, the parent, the container being updated) are
// checked by the batch item handlers, after these.
import { NOT_PLAIN_TEXT, Result, clipText, err, ok, isPlainText } from '@container-service/batch-domain';
import { AttributeConfig, checkAttributeValue } from './attribute-config';
import { isObject, own } from './json-values';

export const MAX_TRACKING_DETAILS = 16;
const MAX_ITEM_LINES = 1024;
const QUANTITY_UNITS = ['cm', 'm', 'l', 'ml', 'nos', 'g', 'kg', 'mm'] as const;

type ItemRuleCode = 'ITEM_INVALID' | 'ATTRIBUTE_INVALID' | 'ITEMS_NOT_ALLOWED' | 'ROW_INVALID';

/** Why an item fails: a contract code and a reason that names the field and the rule. */
export interface ItemRejection {
  readonly code: ItemRuleCode;
  readonly reason: string;
}

export interface TrackingDetail {
  readonly operator: string;
  readonly trackingId: string;
  readonly isPrimary: boolean;
}

export interface Money {
  readonly amount?: number;
  readonly currency?: string;
}

export interface ItemLine {
  readonly name: string;
  readonly code?: string;
  readonly cost: { readonly unit?: Money; readonly total: Money };
  readonly quantity?: { readonly value: number; readonly unit: (typeof QUANTITY_UNITS)[number] };
}

export type Attributes = Readonly<Record<string, unknown>>;

/** A create item whose fields all have their shape, attributes checked and defaults filled. */
export interface ContainerCreateInput {
  readonly refId: string;
  readonly scannableId: string | null;
  readonly trackingDetails: readonly TrackingDetail[];
  readonly attributes: Attributes;
  readonly items: readonly ItemLine[];
  readonly isHazmat: boolean;
  readonly isContainerizable: boolean;
  readonly isReusable: boolean;
  readonly parentId: string | null;
}

/** The fields an update carries; an absent field keeps the stored value. */
export interface ContainerUpdateInput {
  readonly containerId: string;
  readonly trackingDetails?: readonly TrackingDetail[];
  /** Attribute changes; null removes the attribute. Merged and checked whole by mergeAttributes. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly items?: readonly ItemLine[];
}

export interface TypeRules {
  readonly isLeaf: boolean;
  readonly attributes: readonly AttributeConfig[];
}

type Check<T> = Result<T, ItemRejection>;
const invalid = (reason: string): Check<never> => err({ code: 'ITEM_INVALID', reason });

/** What is wrong with `value` as a string of `min` to `max` characters, or null when nothing is. */
function textFault(value: unknown, min: number, max: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < min || value.length > max) return `must be ${min} to ${max} characters`;
  // Stored as columns of their own (references, ids): read back exactly only when plain.
  if (!isPlainText(value)) return NOT_PLAIN_TEXT;
  return null;
}

function text(value: unknown, field: string, min: number, max: number): Check<string> {
  const fault = textFault(value, min, max);
  return fault === null ? ok(value as string) : invalid(`${field} ${fault}`);
}

const FLAG_FAULT = 'must be true or false';

function flag(value: unknown, field: string, fallback: boolean): Check<boolean> {
  if (value === undefined || value === null) return ok(fallback);
  return typeof value === 'boolean' ? ok(value) : invalid(`${field} ${FLAG_FAULT}`);
}

export function parseCreateInput(raw: unknown, type: TypeRules): Check<ContainerCreateInput> {
  if (!isObject(raw)) return invalid('the item must be an object');
  const refId = text(own(raw, 'refID'), 'refID', 1, 128);
  if (!refId.ok) return refId;
  const rawScannable = own(raw, 'scannableId');
  const scannableId = rawScannable === undefined || rawScannable === null ? ok(null) : text(rawScannable, 'scannableId', 1, 128);
  if (!scannableId.ok) return scannableId;
  const tracking = parseTrackingDetails(own(raw, 'trackingDetails'));
  if (!tracking.ok) return tracking;
  const isHazmat = flag(own(raw, 'isHazmat'), 'isHazmat', false);
  if (!isHazmat.ok) return isHazmat;
  const isContainerizable = flag(own(raw, 'isContainerizable'), 'isContainerizable', true);
  if (!isContainerizable.ok) return isContainerizable;
  const isReusable = flag(own(raw, 'isReusable'), 'isReusable', false);
  if (!isReusable.ok) return isReusable;
  const rawParent = own(raw, 'parentId');
  const parentId = rawParent === undefined || rawParent === null ? ok(null) : text(rawParent, 'parentId', 1, 200);
  if (!parentId.ok) return parentId;
  const items = parseItemLines(own(raw, 'items'), type);
  if (!items.ok) return items;
  const rawAttributes = own(raw, 'attributes');
  if (rawAttributes !== undefined && rawAttributes !== null && !isObject(rawAttributes)) return invalid('attributes must be an object');
  const attributes = checkAttributes(isObject(rawAttributes) ? rawAttributes : {}, type.attributes);
  if (!attributes.ok) return attributes;
  return ok({
    refId: refId.value,
    scannableId: scannableId.value,
    trackingDetails: tracking.value ?? [],
    attributes: attributes.value,
    items: items.value ?? [],
    isHazmat: isHazmat.value,
    isContainerizable: isContainerizable.value,
    isReusable: isReusable.value,
    parentId: parentId.value,
  });
}

export function parseUpdateInput(raw: unknown, type: TypeRules): Check<ContainerUpdateInput> {
  if (!isObject(raw)) return invalid('the item must be an object');
  const containerId = text(own(raw, 'containerId'), 'containerId', 1, 200);
  if (!containerId.ok) return containerId;
  const data = own(raw, 'data');
  if (!isObject(data)) return invalid('data is required and must be an object');
  const tracking = parseTrackingDetails(own(data, 'trackingDetails'));
  if (!tracking.ok) return tracking;
  const items = parseItemLines(own(data, 'items'), type);
  if (!items.ok) return items;
  const rawAttributes = own(data, 'attributes');
  if (rawAttributes !== undefined && rawAttributes !== null && !isObject(rawAttributes)) return invalid('data.attributes must be an object');
  return ok({
    containerId: containerId.value,
    ...(tracking.value !== null ? { trackingDetails: tracking.value } : {}),
    ...(items.value !== null ? { items: items.value } : {}),
    ...(isObject(rawAttributes) ? { attributes: { ...rawAttributes } } : {}),
  });
}

/** Merges attribute changes into the stored attributes key by key (null removes), then checks the whole. */
export function mergeAttributes(stored: Attributes, changes: Readonly<Record<string, unknown>>, configs: readonly AttributeConfig[]): Check<Attributes> {
  const configured = new Set(configs.map((c) => c.name));
  const merged = new Map(Object.entries(stored));
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) merged.delete(name);
    else if (!configured.has(name))
      return err({ code: 'ATTRIBUTE_INVALID', reason: `attribute '${clipText(name, 64)}' is not configured for this container type` });
    else merged.set(name, value);
  }
  // A Map, then own properties only: a key such as __proto__ can never reach a prototype.
  return checkAttributes(Object.fromEntries(merged), configs);
}

/** Checks attributes against the type's configuration and fills defaults; unknown names fail. */
export function checkAttributes(attributes: Readonly<Record<string, unknown>>, configs: readonly AttributeConfig[]): Check<Attributes> {
  const byName = new Map(configs.map((c) => [c.name, c]));
  for (const name of Object.keys(attributes)) {
    if (!byName.has(name)) return err({ code: 'ATTRIBUTE_INVALID', reason: `attribute '${clipText(name, 64)}' is not configured for this container type` });
  }
  const result: Record<string, unknown> = {};
  for (const config of configs) {
    const given = own(attributes, config.name);
    if (given === undefined || given === null) {
      if (config.defaultValue !== undefined) result[config.name] = structuredClone(config.defaultValue);
      else if (config.required) return err({ code: 'ATTRIBUTE_INVALID', reason: `attribute '${config.name}' is required` });
      continue;
    }
    const checked = checkAttributeValue(config, given);
    if (!checked.ok) return err({ code: 'ATTRIBUTE_INVALID', reason: checked.error });
    result[config.name] = given;
  }
  return ok(result);
}

/** null when absent; else 0-16 details, at most one primary, no repeats, the first primary when none is. */
function parseTrackingDetails(raw: unknown): Check<TrackingDetail[] | null> {
  if (raw === undefined || raw === null) return ok(null);
  if (!Array.isArray(raw)) return invalid('trackingDetails must be an array');
  if (raw.length > MAX_TRACKING_DETAILS) return invalid(`trackingDetails must hold at most ${MAX_TRACKING_DETAILS} entries`);
  // Run for every item of a batch: field names are put into words only for a failure.
  const details: TrackingDetail[] = [];
  let primaries = 0;
  for (let i = 0; i < raw.length; i++) {
    const entry: unknown = raw[i];
    if (!isObject(entry)) return invalid(`trackingDetails[${i}] must be an object`);
    const operator = own(entry, 'operator');
    const operatorFault = textFault(operator, 3, 64);
    if (operatorFault !== null) return invalid(`trackingDetails[${i}].operator ${operatorFault}`);
    const trackingId = own(entry, 'trackingId');
    const trackingIdFault = textFault(trackingId, 1, 128);
    if (trackingIdFault !== null) return invalid(`trackingDetails[${i}].trackingId ${trackingIdFault}`);
    const isPrimary = own(entry, 'isPrimary') ?? false;
    if (typeof isPrimary !== 'boolean') return invalid(`trackingDetails[${i}].isPrimary ${FLAG_FAULT}`);
    const detail = { operator: operator as string, trackingId: trackingId as string, isPrimary };
    // At most 16 entries: comparing with those before is cheaper than a set of keys.
    if (details.some((d) => d.operator === detail.operator && d.trackingId === detail.trackingId)) {
      return invalid(`trackingDetails[${i}] repeats operator '${detail.operator}' with trackingId '${detail.trackingId}'`);
    }
    if (isPrimary) primaries++;
    details.push(detail);
  }
  if (primaries > 1) return invalid('trackingDetails must mark at most one entry isPrimary');
  const first = details[0];
  if (primaries === 0 && first !== undefined) details[0] = { ...first, isPrimary: true };
  return ok(details);
}

/** null when absent; item lines only on leaf types. */
function parseItemLines(raw: unknown, type: TypeRules, field = 'items'): Check<ItemLine[] | null> {
  if (raw === undefined || raw === null) return ok(null);
  if (!Array.isArray(raw)) return invalid(`${field} must be an array`);
  if (raw.length > 0 && !type.isLeaf) return err({ code: 'ITEMS_NOT_ALLOWED', reason: 'items are allowed only on leaf container types' });
  if (raw.length > MAX_ITEM_LINES) return invalid(`${field} must hold at most ${MAX_ITEM_LINES} entries`);
  const lines: ItemLine[] = [];
  for (const [i, entry] of raw.entries()) {
    const at = `${field}[${i}]`;
    if (!isObject(entry)) return invalid(`${at} must be an object`);
    const name = text(own(entry, 'name'), `${at}.name`, 3, 128);
    if (!name.ok) return name;
    const rawCode = own(entry, 'code');
    const code = rawCode === undefined || rawCode === null ? ok(undefined) : text(rawCode, `${at}.code`, 3, 128);
    if (!code.ok) return code;
    const cost = own(entry, 'cost');
    if (!isObject(cost)) return invalid(`${at}.cost is required, with a total`);
    const total = money(own(cost, 'total'), `${at}.cost.total`);
    if (!total.ok) return total;
    const rawUnit = own(cost, 'unit');
    const unit = rawUnit === undefined || rawUnit === null ? ok(undefined) : money(rawUnit, `${at}.cost.unit`);
    if (!unit.ok) return unit;
    const quantity = parseQuantity(own(entry, 'quantity'), `${at}.quantity`);
    if (!quantity.ok) return quantity;
    lines.push({
      name: name.value,
      ...(code.value !== undefined ? { code: code.value } : {}),
      cost: { ...(unit.value ? { unit: unit.value } : {}), total: total.value },
      ...(quantity.value ? { quantity: quantity.value } : {}),
    });
  }
  return ok(lines);
}

/** Both fields optional and the currency free text, as in the original (§4.1). */
function money(raw: unknown, at: string): Check<Money> {
  if (!isObject(raw)) return invalid(`${at} must be an object with amount and/or currency`);
  const amount = own(raw, 'amount');
  if (amount !== undefined && amount !== null && (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)) {
    return invalid(`${at}.amount must be a number of at least 0`);
  }
  const currency = own(raw, 'currency');
  if (currency !== undefined && currency !== null) {
    const checked = text(currency, `${at}.currency`, 1, 16);
    if (!checked.ok) return checked;
  }
  return ok({ ...(typeof amount === 'number' ? { amount } : {}), ...(typeof currency === 'string' ? { currency } : {}) });
}

function parseQuantity(raw: unknown, at: string): Check<ItemLine['quantity'] | undefined> {
  if (raw === undefined || raw === null) return ok(undefined);
  if (!isObject(raw)) return invalid(`${at} must be an object with value and unit`);
  const value = own(raw, 'value');
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return invalid(`${at}.value must be an integer of at least 0`);
  const unit = own(raw, 'unit');
  if (typeof unit !== 'string' || !(QUANTITY_UNITS as readonly string[]).includes(unit))
    return invalid(`${at}.unit must be one of ${QUANTITY_UNITS.join(', ')}`);
  return ok({ value, unit: unit as (typeof QUANTITY_UNITS)[number] });
}
