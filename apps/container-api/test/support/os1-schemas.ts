// Validates answers against the original service's public OpenAPI schemas (../shared/reference).
import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const REFERENCE = path.resolve(__dirname, '../../../../../shared/reference/os1-container-api.yaml');

let ajv: Ajv | null = null;

export function os1Schema(name: 'ErrorResponse' | 'ContainerBatchResponse' | 'BatchSuccessResponse' | 'Request'): ValidateFunction {
  if (ajv === null) {
    const document = YAML.parse(fs.readFileSync(REFERENCE, 'utf8'));
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'os1', components: document.components });
  }
  const validate = ajv.getSchema(`os1#/components/schemas/${name}`);
  if (!validate) throw new Error(`No schema ${name} in the reference`);
  return validate;
}
