/** A map as YAML and JSON parse it (not null, not a list): the one guard for "a map of keys to values". */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
