import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';

// Required on first use (ajv is CommonJS): template and sync load the lint modules through app/index.ts, and
// should not pay for loading ajv unless they lint.
const requireCjs = createRequire(import.meta.url);

export function newAjv(): Ajv {
  const { Ajv: AjvClass } = requireCjs('ajv') as { Ajv: typeof Ajv };
  // verbose: type errors can quote the offending value; strict off: CRD schemas carry x-kubernetes-* keywords
  // and formats (int32, date-time…) that ajv does not know without plugins.
  return new AjvClass({ allErrors: true, verbose: true, strict: false, validateFormats: false });
}
