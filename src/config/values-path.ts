/**
 * A values key as helm's --set writes it (`image.tag`, `annotations.example\.com/team`): the map keys it walks
 * through. List indexes (`a[0]`) are not supported; releases.yaml and versionKeys name map keys only.
 */
export function parseValuesPath(key: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < key.length; index++) {
    const char = key[index]!;
    if (char === '\\' && key[index + 1] === '.') current += key[++index];
    else if (char !== '.') current += char;
    else {
      parts.push(current);
      current = '';
    }
  }
  return [...parts, current];
}

/** `{a: {b: value}}` for the path [a, b]. */
export function nestValue(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as Record<string, unknown>) as Record<string, unknown>;
}
