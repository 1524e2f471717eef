// A container type's attribute configuration: which attributes its containers carry, their data
// types, defaults and validation rules; and the check of one value against one attribute's rules.
import { Result, Violation, clipText, err, ok } from '@container-service/batch-domain';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { isObject } from './json-values';
import { MAX_TYPE_REGEX_COST, REGEX_WORK_BUDGET, compileAttributeRegex, estimateRegexCost } from './safe-regex';

const ATTRIBUTE_DATA_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;
export type AttributeDataType = (typeof ATTRIBUTE_DATA_TYPES)[number];

const MAX_ATTRIBUTES = 128;
const MAX_VALUE_ONE_OF = 256;
/** The longest string value when `range.max` says nothing more (contract §13). */
export const DEFAULT_MAX_STRING_LENGTH = 4096;
/** The longest string value `range.max` may allow. */
export const MAX_STRING_LENGTH = 65_536;
const ATTRIBUTE_NAME = /^[A-Za-z_]{1,32}$/;

export interface AttributeValidation {
  readonly range?: { readonly min?: number; readonly max?: number };
  readonly regex?: string;
  readonly valueOneOf?: readonly unknown[];
}

export interface AttributeConfig {
  readonly name: string;
  readonly dataType: AttributeDataType;
  /** From the top-level `required` or `validation.required`, kept here only. */
  readonly required: boolean;
  readonly defaultValue?: unknown;
  /** Kept and shown as given (the original's access flag); it changes no rule here. */
  readonly isReadPublic?: boolean;
  readonly validation?: AttributeValidation;
}

const has = (object: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function hasDataType(dataType: AttributeDataType, value: unknown): boolean {
  switch (dataType) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    default:
      return Array.isArray(value);
  }
}

/** The longest value a string attribute takes: its `range.max`, else 4 096; never over 65 536. */
function longestString(config: Pick<AttributeConfig, 'validation'>): number {
  return Math.min(config.validation?.range?.max ?? DEFAULT_MAX_STRING_LENGTH, MAX_STRING_LENGTH);
}

/** Checks a value against one attribute's type and rules; the reason names the rule broken. */
export function checkAttributeValue(config: AttributeConfig, value: unknown): Result<unknown, string> {
  if (!hasDataType(config.dataType, value)) {
    return err(`attribute '${config.name}' must be ${config.dataType === 'array' || config.dataType === 'object' ? 'an' : 'a'} ${config.dataType}`);
  }
  // Bounds first, so that nothing below ever walks or matches an unbounded value.
  const max = config.validation?.range?.max;
  // Within range.max the range rule below answers; the cap speaks for an absent (or, in a
  // configuration stored before the cap, too large) range.max.
  if (typeof value === 'string' && value.length > longestString(config) && (max === undefined || max > MAX_STRING_LENGTH)) {
    const hint = max === undefined ? ` (range.max may allow up to ${MAX_STRING_LENGTH})` : '';
    return err(`attribute '${config.name}' must be at most ${longestString(config)} characters${hint}`);
  }
  if (typeof value === 'object' && nestsDeeperThan(value)) return err(`attribute '${config.name}' must not nest deeper than ${MAX_JSON_DEPTH} levels`);

  const rules = config.validation;
  if (rules?.range) {
    const measured = typeof value === 'string' ? value.length : (value as number);
    const what = typeof value === 'string' ? 'length' : 'value';
    const { min, max } = rules.range;
    if (min !== undefined && measured < min) return err(`attribute '${config.name}' ${what} must be at least ${min}`);
    if (max !== undefined && measured > max) return err(`attribute '${config.name}' ${what} must be at most ${max}`);
  }
  if (rules?.regex !== undefined) {
    const matched = matchRegex(rules.regex, value as string);
    if (matched !== true) return err(`attribute '${config.name}' ${matched === false ? `must match ${rules.regex}` : matched}`);
  }
  if (rules?.valueOneOf !== undefined) {
    const key = canonicalJson(value);
    if (!rules.valueOneOf.some((allowed) => canonicalJson(allowed) === key)) {
      return err(`attribute '${config.name}' must be one of ${clipText(JSON.stringify(rules.valueOneOf), 200)}`);
    }
  }
  return ok(value);
}

/**
 * Matches a value in linear time: true, false, or why it could not be checked. A pattern stored
 * before patterns were compiled for linear-time matching may not compile now; its values are
 * refused rather than run through a backtracking engine, and so is a value whose check would
 * exceed the work budget on its own (only such older configurations can allow one).
 */
function matchRegex(pattern: string, value: string): boolean | string {
  const verdict = compileAttributeRegex(pattern);
  if (!verdict.safe) return `cannot be checked: its regex ${verdict.reason}; the type's attribute configuration must be replaced`;
  if (verdict.compiled.programSize * value.length > REGEX_WORK_BUDGET) return 'is too long to be checked against its regex';
  try {
    return verdict.compiled.test(value);
  } catch {
    return 'could not be checked against its regex';
  }
}

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- typed string, but undefined for undefined and functions
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
  // What compiling the type's regexes may still cost, spent before each is compiled.
  const compileBudget = { left: MAX_TYPE_REGEX_COST };
  raw.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    const parsed = parseAttributeConfig(entry, at, compileBudget);
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
  if (violations.length === 0) {
    const work = regexWork(configs);
    if (work > REGEX_WORK_BUDGET) {
      violations.push({
        path,
        message: `the regexes together are too costly to check: program size times longest value, summed, is ${work} and may be at most ${REGEX_WORK_BUDGET}; lower range.max of the string attributes or simplify their regexes`,
      });
    }
  }
  return violations.length > 0 ? err(violations) : ok(configs);
}

/** The worst-case matching work of one item: each regex's program size times the longest value it may see. */
function regexWork(configs: readonly AttributeConfig[]): number {
  let work = 0;
  for (const config of configs) {
    const pattern = config.validation?.regex;
    if (pattern === undefined) continue;
    const verdict = compileAttributeRegex(pattern);
    if (verdict.safe) work += verdict.compiled.programSize * longestString(config);
  }
  return work;
}

type CompileBudget = { left: number };

function parseAttributeConfig(entry: unknown, at: string, compileBudget: CompileBudget): Result<AttributeConfig, Violation[]> {
  if (!isObject(entry)) return err([{ path: at, message: 'must be an object' }]);
  const violations: Violation[] = [];
  const { name, dataType, required, isReadPublic } = entry;
  if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name)) {
    violations.push({ path: `${at}.name`, message: 'must be 1 to 32 letters or underscores' });
  } else if (name === '__proto__') {
    // Set on a plain object, the name would replace its prototype instead of holding the value.
    violations.push({ path: `${at}.name`, message: 'must not be __proto__' });
  }
  if (typeof dataType !== 'string' || !(ATTRIBUTE_DATA_TYPES as readonly string[]).includes(dataType)) {
    violations.push({ path: `${at}.dataType`, message: `must be one of ${ATTRIBUTE_DATA_TYPES.join(', ')}` });
  }
  if (required !== undefined && typeof required !== 'boolean') {
    violations.push({ path: `${at}.required`, message: 'must be a boolean' });
  }
  if (isReadPublic !== undefined && typeof isReadPublic !== 'boolean') {
    violations.push({ path: `${at}.isReadPublic`, message: 'must be a boolean' });
  }
  // The original keeps `required` in `validation`; either place makes the attribute required.
  const validationRequired = isObject(entry.validation) ? entry.validation.required : undefined;
  if (validationRequired !== undefined && typeof validationRequired !== 'boolean') {
    violations.push({ path: `${at}.validation.required`, message: 'must be a boolean' });
  }
  if (violations.length > 0) return err(violations);

  const validation = parseValidation(entry.validation, dataType as AttributeDataType, `${at}.validation`, compileBudget);
  if (!validation.ok) return err(validation.error);

  const config: AttributeConfig = {
    name: name as string,
    dataType: dataType as AttributeDataType,
    required: required === true || validationRequired === true,
    ...(typeof isReadPublic === 'boolean' ? { isReadPublic } : {}),
    ...(validation.value ? { validation: validation.value } : {}),
  };
  if (has(entry, 'defaultValue') && entry.defaultValue !== undefined) {
    if (entry.defaultValue === null) return err([{ path: `${at}.defaultValue`, message: 'must not be null; leave it out for no default' }]);
    // The default is judged like any value: bounded first, its regex matched in linear time.
    const checked = checkAttributeValue(config, entry.defaultValue);
    if (!checked.ok) return err([{ path: `${at}.defaultValue`, message: `fails its own rules: ${checked.error}` }]);
    return ok({ ...config, defaultValue: structuredClone(entry.defaultValue) });
  }
  return ok(config);
}

function parseValidation(raw: unknown, dataType: AttributeDataType, at: string, compileBudget: CompileBudget): Result<AttributeValidation | null, Violation[]> {
  if (raw === undefined || raw === null) return ok(null);
  if (!isObject(raw)) return err([{ path: at, message: 'must be an object' }]);
  const violations: Violation[] = [];
  const validation: { range?: { min?: number; max?: number }; regex?: string; valueOneOf?: unknown[] } = {};

  if (raw.range !== undefined) {
    const range = raw.range;
    if (dataType !== 'number' && dataType !== 'string') {
      violations.push({ path: `${at}.range`, message: 'applies only to number and string attributes' });
    } else if (!isObject(range)) {
      violations.push({ path: `${at}.range`, message: 'must be an object with min and/or max' });
    } else {
      const bound = (key: 'min' | 'max'): number | undefined => {
        const value = range[key];
        if (value === undefined) return undefined;
        const valid = typeof value === 'number' && Number.isFinite(value) && (dataType === 'number' || (Number.isInteger(value) && value >= 0));
        if (!valid)
          violations.push({ path: `${at}.range.${key}`, message: dataType === 'number' ? 'must be a number' : 'must be a non-negative integer (a length)' });
        else if (dataType === 'string' && value > MAX_STRING_LENGTH)
          violations.push({ path: `${at}.range.${key}`, message: `must be at most ${MAX_STRING_LENGTH} (the longest string value)` });
        else return value;
        return undefined;
      };
      const min = bound('min');
      const max = bound('max');
      if (min !== undefined && max !== undefined && min > max) violations.push({ path: `${at}.range`, message: 'min must not exceed max' });
      else if (dataType === 'string' && min !== undefined && max === undefined && min > DEFAULT_MAX_STRING_LENGTH) {
        violations.push({
          path: `${at}.range`,
          message: `min over ${DEFAULT_MAX_STRING_LENGTH} needs a max: string values are at most ${DEFAULT_MAX_STRING_LENGTH} characters unless range.max allows more`,
        });
      }
      validation.range = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    }
  }
  if (raw.regex !== undefined) {
    if (dataType !== 'string') violations.push({ path: `${at}.regex`, message: 'applies only to string attributes' });
    else if (typeof raw.regex !== 'string') violations.push({ path: `${at}.regex`, message: 'must be a string' });
    else {
      const cost = estimateRegexCost(raw.regex);
      if (cost > compileBudget.left) {
        violations.push({
          path: `${at}.regex`,
          message: `makes the type's regexes together too large to compile (at most ${MAX_TYPE_REGEX_COST} units; this one needs ${cost}, ${compileBudget.left} are left)`,
        });
      } else {
        compileBudget.left -= cost;
        const verdict = compileAttributeRegex(raw.regex);
        if (!verdict.safe) violations.push({ path: `${at}.regex`, message: verdict.reason });
        else validation.regex = raw.regex;
      }
    }
  }
  if (raw.valueOneOf !== undefined) {
    if (!Array.isArray(raw.valueOneOf) || raw.valueOneOf.length === 0 || raw.valueOneOf.length > MAX_VALUE_ONE_OF) {
      violations.push({ path: `${at}.valueOneOf`, message: `must be an array of 1 to ${MAX_VALUE_ONE_OF} values` });
    } else {
      raw.valueOneOf.forEach((value, i) => {
        if (!hasDataType(dataType, value)) violations.push({ path: `${at}.valueOneOf[${i}]`, message: `must be a ${dataType}` });
        else if (typeof value === 'object' && nestsDeeperThan(value))
          violations.push({ path: `${at}.valueOneOf[${i}]`, message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` });
        else if (typeof value === 'string' && value.length > longestString({ validation }))
          violations.push({ path: `${at}.valueOneOf[${i}]`, message: `must be at most ${longestString({ validation })} characters` });
      });
      if (violations.length === 0) validation.valueOneOf = structuredClone(raw.valueOneOf);
    }
  }
  if (violations.length > 0) return err(violations);
  return ok(Object.keys(validation).length > 0 ? validation : null);
}
