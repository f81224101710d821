import { Ajv } from 'ajv';

export function newAjv(): Ajv {
  // verbose: type errors can quote the offending value; strict off: CRD schemas carry x-kubernetes-* keywords
  // and formats (int32, date-time…) that ajv does not know without plugins.
  return new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false });
}
