import { isRecord } from '../yaml/record.js';

/**
 * Whether a values document is a file sops encrypted (issue 31): sops marks its files with a top-level `sops` map
 * holding the MAC and the time of the last change. Such a file is decrypted by app/sops-values.ts, and nothing else
 * reads its values: the checks of the chart's schema, exports and the promotion gate leave it out.
 */
export function isSopsDocument(value: unknown): boolean {
  return isRecord(value) && isRecord(value.sops) && ('mac' in value.sops || 'lastmodified' in value.sops);
}
