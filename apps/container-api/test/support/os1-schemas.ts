// Validates answers against the original service's public OpenAPI schemas (docs/reference),
// formats included: int64 must be a safe integer, uri an absolute URL.
import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const REFERENCE = path.resolve(__dirname, '../../../../docs/reference/os1-container-api.yaml');

export type Os1SchemaName =
  | 'ErrorResponse'
  | 'ContainerBatchResponse'
  | 'BatchSuccessResponse'
  | 'Request'
  | 'ContainerTypeResponse'
  | 'AttributesConfigResponse'
  | 'ContainerResponse'
  | 'SuccessResponse'
  | 'ActionBy';

let ajv: Ajv | null = null;

export function os1Schema(name: Os1SchemaName): ValidateFunction {
  if (ajv === null) {
    const document = YAML.parse(fs.readFileSync(REFERENCE, 'utf8'));
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat('uri', (text: string) => URL.canParse(text));
    ajv.addFormat('binary', () => true);
    ajv.addSchema({ $id: 'os1', components: document.components });
  }
  const validate = ajv.getSchema(`os1#/components/schemas/${name}`);
  if (!validate) throw new Error(`No schema ${name} in the reference`);
  return validate;
}

/** Asserts that an answer's body validates against one of the original's schemas, showing ajv's errors when not. */
export function expectOs1Valid(schema: Os1SchemaName, body: unknown): void {
  const validate = os1Schema(schema);
  const valid = validate(body);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}
