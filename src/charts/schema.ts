// The Vega-Lite JSON schema (draft-07) as an ajv validator, for the tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

export function schemaValidator(): ValidateFunction {
  const path = createRequire(import.meta.url).resolve('vega-lite/vega-lite-schema.json');
  // The schema's string formats (uri, color-hex) are not checked: ajv-formats is not a dependency.
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, formats: { uri: true, 'uri-reference': true, 'color-hex': true } });
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')));
}
