// The bundle evaluates ajv on first use (scripts/bundle.mjs): template and sync load the lint modules through
// app/index.ts, and pay for ajv only when they validate something no run accepted before.
import { Ajv } from 'ajv';

/**
 * An ajv for schemas boutique compiles once a run and checks a handful of documents with. `validateSchema: false`
 * is for boutique's own schemas, checked by their tests; a chart's own is checked against the meta-schema first.
 */
export function newAjv(options: { validateSchema?: boolean } = {}): Ajv {
  // verbose: type errors can quote the offending value; strict off: CRD schemas carry x-kubernetes-* keywords
  // and formats (int32, date-time…) that ajv does not know without plugins. optimize off: ajv's passes over the
  // code it generates took a third of compiling a chart's values schema, and gain only over many validations; they
  // never change a result.
  return new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    validateFormats: false,
    code: { optimize: false },
    ...options,
  });
}
