// The CSV template of a container type (contract §3.3): the header a file of one operation needs
// (every column of the operation, one attributes.<name> column per configured attribute) and one
// example row whose values pass the type's rules, so that the template uploads as it is.
//
// An attribute's example is the first candidate its own rules accept: its default, its
// valueOneOf, then a few values of its data type fitted to its range (strings of several
// alphabets for a regex). Patterns are not inverted: when no candidate passes, the cell is left
// empty, which only an attribute that is required and has no default then fails (documented in
// docs/api.md). Columns whose values must be unique per tenant (scannableId, trackingDetails) stay
// empty, so the example uploads more than once; an update example names a placeholder container.
import { clipText } from '@container-service/batch-domain';
import { AttributeConfig, checkAttributeValue } from './attribute-config';
import { ContainerTypeSnapshot } from './container-type';
import { fileColumnsFor, writeFileRow } from './container-file-row';

export type ContainerFileOperation = 'create' | 'update';

export interface ContainerFileTemplate {
  readonly columns: readonly string[];
  readonly example: readonly string[];
}

/** The create example's reference. */
export const EXAMPLE_REF_ID = 'example-1';
/** An item of a leaf type's example that passes the item rules. */
const EXAMPLE_ITEMS = [{ name: 'Example item', code: 'EX-1', cost: { total: { amount: 10, currency: 'USD' } }, quantity: { value: 1, unit: 'nos' } }];
const EXAMPLE_TEXTS = [
  'example',
  'Example',
  'EXAMPLE',
  'example1',
  'ABC123',
  'abc',
  'ABC',
  '123',
  'A1',
  'a',
  'A',
  '1',
  'EX-1',
  'example@example.com',
  '2026-01-01',
];

/** `text` made as long as the range asks: cut, or grown by repeating its last character (which keeps it in a pattern like ^[A-Z]+$). */
function fitted(text: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && text.length < min) return text + text.charAt(text.length - 1).repeat(Math.min(min, 65_536) - text.length);
  if (max !== undefined && max >= 1 && text.length > max) return clipText(text, max);
  return text;
}

function candidates(config: AttributeConfig): unknown[] {
  const given = [...(config.defaultValue !== undefined ? [config.defaultValue] : []), ...(config.validation?.valueOneOf ?? [])];
  const min = config.validation?.range?.min;
  const max = config.validation?.range?.max;
  switch (config.dataType) {
    case 'string':
      return [...given, ...EXAMPLE_TEXTS.flatMap((text) => [text, fitted(text, min, max)])];
    case 'number': {
      const clamp = (n: number) => Math.min(Math.max(n, min ?? n), max ?? n);
      return [...given, clamp(1), clamp(0), ...(min !== undefined ? [min] : []), ...(max !== undefined ? [max] : [])];
    }
    case 'boolean':
      return [...given, true, false];
    case 'object':
      return [...given, {}];
    default:
      return [...given, []];
  }
}

/** A value the attribute's rules accept, or undefined when none of the candidates is (an empty string is no example: its cell would be empty). */
export function exampleAttributeValue(config: AttributeConfig): unknown {
  return candidates(config).find((value) => value !== '' && checkAttributeValue(config, value).ok);
}

/** The header and the example row of a file of `operation` for this type. */
export function containerFileTemplate(
  operation: ContainerFileOperation,
  type: Pick<ContainerTypeSnapshot, 'name' | 'isLeaf' | 'attributes'>,
): ContainerFileTemplate {
  const columns = fileColumnsFor(
    operation,
    type.attributes.map((attribute) => attribute.name),
  );
  const attributes: Record<string, unknown> = {};
  for (const config of type.attributes) {
    const value = exampleAttributeValue(config);
    if (value !== undefined) Object.defineProperty(attributes, config.name, { value, enumerable: true });
  }
  const item =
    operation === 'create'
      ? { refID: EXAMPLE_REF_ID, isHazmat: false, isContainerizable: true, isReusable: false, ...(type.isLeaf ? { items: EXAMPLE_ITEMS } : {}), attributes }
      : { containerId: `${type.name}:00000000-0000-4000-8000-000000000000`, data: { attributes } };
  return { columns, example: writeFileRow(operation, columns, item) };
}
