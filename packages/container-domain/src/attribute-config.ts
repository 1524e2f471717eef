// A container type's attribute configuration: which attributes its containers carry, their data
// types, defaults and validation rules; and the check of one value against one attribute's rules.
import { Result, Violation, err, ok } from '@container-service/batch-domain';
import { checkRegexSafety } from './safe-regex';

export const ATTRIBUTE_DATA_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;
export type AttributeDataType = (typeof ATTRIBUTE_DATA_TYPES)[number];

export const MAX_ATTRIBUTES = 128;
export const MAX_VALUE_ONE_OF = 256;
const ATTRIBUTE_NAME = /^[A-Za-z_]{1,32}$/;

export interface AttributeValidation {
  readonly range?: { readonly min?: number; readonly max?: number };
  readonly regex?: string;
  readonly valueOneOf?: readonly unknown[];
}

export interface AttributeConfig {
  readonly name: string;
  readonly dataType: AttributeDataType;
  readonly required: boolean;
  readonly defaultValue?: unknown;
  readonly validation?: AttributeValidation;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const has = (object: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Checks a value against one attribute's type and rules; the reason names the rule broken. */
export function checkAttributeValue(config: AttributeConfig, value: unknown): Result<unknown, string> {
  const typeOk =
    config.dataType === 'string'
      ? typeof value === 'string'
      : config.dataType === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : config.dataType === 'boolean'
          ? typeof value === 'boolean'
          : config.dataType === 'object'
            ? isPlainObject(value)
            : Array.isArray(value);
  if (!typeOk) return err(`attribute '${config.name}' must be ${config.dataType === 'array' || config.dataType === 'object' ? 'an' : 'a'} ${config.dataType}`);

  const rules = config.validation;
  if (rules?.range) {
    const measured = typeof value === 'string' ? value.length : (value as number);
    const what = typeof value === 'string' ? 'length' : 'value';
    const { min, max } = rules.range;
    if (min !== undefined && measured < min) return err(`attribute '${config.name}' ${what} must be at least ${min}`);
    if (max !== undefined && measured > max) return err(`attribute '${config.name}' ${what} must be at most ${max}`);
  }
  if (rules?.regex !== undefined && !new RegExp(rules.regex, 'u').test(value as string)) {
    return err(`attribute '${config.name}' must match ${rules.regex}`);
  }
  if (rules?.valueOneOf !== undefined) {
    const key = canonicalJson(value);
    if (!rules.valueOneOf.some((allowed) => canonicalJson(allowed) === key)) {
      return err(`attribute '${config.name}' must be one of ${JSON.stringify(rules.valueOneOf).slice(0, 200)}`);
    }
  }
  return ok(value);
}

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Parses an attribute configuration from untrusted input, listing every broken rule with its path. */
export function parseAttributeConfigs(raw: unknown, path = 'attributes'): Result<AttributeConfig[], Violation[]> {
  if (raw === undefined || raw === null) return ok([]);
  if (!Array.isArray(raw)) return err([{ path, message: 'must be an array of attribute configurations' }]);
  if (raw.length > MAX_ATTRIBUTES) return err([{ path, message: `must hold at most ${MAX_ATTRIBUTES} attributes` }]);
  const violations: Violation[] = [];
  const configs: AttributeConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    const parsed = parseAttributeConfig(entry, at);
    if (!parsed.ok) {
      violations.push(...parsed.error);
      return;
    }
    if (seen.has(parsed.value.name)) {
      violations.push({ path: `${at}.name`, message: `repeats the attribute name '${parsed.value.name}'` });
      return;
    }
    seen.add(parsed.value.name);
    configs.push(parsed.value);
  });
  return violations.length > 0 ? err(violations) : ok(configs);
}

function parseAttributeConfig(entry: unknown, at: string): Result<AttributeConfig, Violation[]> {
  if (!isPlainObject(entry)) return err([{ path: at, message: 'must be an object' }]);
  const violations: Violation[] = [];
  const { name, dataType, required } = entry;
  if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name)) {
    violations.push({ path: `${at}.name`, message: 'must be 1 to 32 letters or underscores' });
  }
  if (typeof dataType !== 'string' || !(ATTRIBUTE_DATA_TYPES as readonly string[]).includes(dataType)) {
    violations.push({ path: `${at}.dataType`, message: `must be one of ${ATTRIBUTE_DATA_TYPES.join(', ')}` });
  }
  if (required !== undefined && typeof required !== 'boolean') {
    violations.push({ path: `${at}.required`, message: 'must be a boolean' });
  }
  if (violations.length > 0) return err(violations);

  const validation = parseValidation(entry.validation, dataType as AttributeDataType, `${at}.validation`);
  if (!validation.ok) return err(validation.error);

  const config: AttributeConfig = {
    name: name as string,
    dataType: dataType as AttributeDataType,
    required: required === true,
    ...(validation.value ? { validation: validation.value } : {}),
  };
  if (has(entry, 'defaultValue') && entry.defaultValue !== undefined) {
    if (entry.defaultValue === null) return err([{ path: `${at}.defaultValue`, message: 'must not be null; leave it out for no default' }]);
    const checked = checkAttributeValue(config, entry.defaultValue);
    if (!checked.ok) return err([{ path: `${at}.defaultValue`, message: `fails its own rules: ${checked.error}` }]);
    return ok({ ...config, defaultValue: structuredClone(entry.defaultValue) });
  }
  return ok(config);
}

function parseValidation(raw: unknown, dataType: AttributeDataType, at: string): Result<AttributeValidation | null, Violation[]> {
  if (raw === undefined || raw === null) return ok(null);
  if (!isPlainObject(raw)) return err([{ path: at, message: 'must be an object' }]);
  const violations: Violation[] = [];
  const validation: { range?: { min?: number; max?: number }; regex?: string; valueOneOf?: unknown[] } = {};

  if (raw.range !== undefined) {
    const range = raw.range;
    if (dataType !== 'number' && dataType !== 'string') {
      violations.push({ path: `${at}.range`, message: 'applies only to number and string attributes' });
    } else if (!isPlainObject(range)) {
      violations.push({ path: `${at}.range`, message: 'must be an object with min and/or max' });
    } else {
      const bound = (key: 'min' | 'max'): number | undefined => {
        const value = range[key];
        if (value === undefined) return undefined;
        const valid = typeof value === 'number' && Number.isFinite(value) && (dataType === 'number' || (Number.isInteger(value) && value >= 0));
        if (!valid) violations.push({ path: `${at}.range.${key}`, message: dataType === 'number' ? 'must be a number' : 'must be a non-negative integer (a length)' });
        return valid ? value : undefined;
      };
      const min = bound('min');
      const max = bound('max');
      if (min !== undefined && max !== undefined && min > max) violations.push({ path: `${at}.range`, message: 'min must not exceed max' });
      validation.range = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    }
  }
  if (raw.regex !== undefined) {
    if (dataType !== 'string') violations.push({ path: `${at}.regex`, message: 'applies only to string attributes' });
    else if (typeof raw.regex !== 'string') violations.push({ path: `${at}.regex`, message: 'must be a string' });
    else {
      const verdict = checkRegexSafety(raw.regex);
      if (!verdict.safe) violations.push({ path: `${at}.regex`, message: verdict.reason });
      else validation.regex = raw.regex;
    }
  }
  if (raw.valueOneOf !== undefined) {
    if (!Array.isArray(raw.valueOneOf) || raw.valueOneOf.length === 0 || raw.valueOneOf.length > MAX_VALUE_ONE_OF) {
      violations.push({ path: `${at}.valueOneOf`, message: `must be an array of 1 to ${MAX_VALUE_ONE_OF} values` });
    } else {
      const probe: AttributeConfig = { name: 'value', dataType, required: false };
      raw.valueOneOf.forEach((value, i) => {
        if (!checkAttributeValue(probe, value).ok) violations.push({ path: `${at}.valueOneOf[${i}]`, message: `must be a ${dataType}` });
      });
      validation.valueOneOf = structuredClone(raw.valueOneOf);
    }
  }
  if (violations.length > 0) return err(violations);
  return ok(Object.keys(validation).length > 0 ? validation : null);
}
