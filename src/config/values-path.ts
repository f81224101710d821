/** The steps of a helm --set path: map keys (escaped dots unescaped) and list indexes (`users[0].token` → users, 0, token). */
export function setPathSteps(path: string): (string | number)[] {
  return [...path.matchAll(/((?:\\.|[^.[\]])+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? match[1]!.replace(/\\(.)/g, '$1') : Number(match[2]),
  );
}

/**
 * Whether two values locations meet: one is the other or holds it. A message about either may show the other's value;
 * the root holds everything but is never said to meet (a message about the whole values shows no value).
 */
export function pathsMeet(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  const within = (inner: readonly (string | number)[], outer: readonly (string | number)[]) =>
    inner.length >= outer.length && outer.every((step, index) => String(step) === String(inner[index]));
  return a.length > 0 && b.length > 0 && (within(a, b) || within(b, a));
}

function valueAtSteps(values: unknown, steps: readonly (string | number)[]): unknown {
  return steps.reduce<unknown>(
    (node, step) =>
      node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined,
    values,
  );
}

/** The value at a helm --set path (`a.b[0].c`) of a values tree, or undefined. */
export function valueAtSetPath(values: unknown, path: string): unknown {
  return valueAtSteps(values, setPathSteps(path));
}

/**
 * A values tree without what a helm --set path (`users[0].token`, `annotations.a\\.b`) names: a map key is deleted,
 * a list element becomes null (the other elements keep their indexes). Maps and lists left empty stay; a path that
 * names nothing changes nothing. Changes `values` in place.
 */
export function deleteAtSetPath(values: Record<string, unknown>, path: string): Record<string, unknown> {
  const steps = setPathSteps(path);
  const parent = valueAtSteps(values, steps.slice(0, -1));
  const last = steps[steps.length - 1];
  if (last === undefined || parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, last))
    return values;
  if (Array.isArray(parent)) parent[last as number] = null;
  else delete (parent as Record<string | number, unknown>)[last];
  return values;
}

/** A list grown with null until it holds `step`, as helm --set grows a list it indexes past its end: no holes. */
function growToHold(node: object, step: string | number): void {
  if (Array.isArray(node) && typeof step === 'number' && node.length <= step)
    node.push(...Array<null>(step + 1 - node.length).fill(null));
}

/**
 * A values tree whose lists on a helm --set path are long enough to hold the path's indexes, grown with null as
 * helm --set grows them (`users[2].token` over a one-element `users`: `[alice, null, null]`, then index 2 is set).
 * Only lists the tree holds are grown; a path that leaves the tree stops there. Changes `values` in place.
 */
export function growListsOnSetPath(values: Record<string, unknown>, path: string): Record<string, unknown> {
  let node: unknown = values;
  for (const step of setPathSteps(path)) {
    if (node === null || typeof node !== 'object') break;
    growToHold(node, step);
    node = (node as Record<string | number, unknown>)[step];
  }
  return values;
}

/**
 * A helm --set path (`auth.password`, `users[0].token`, `annotations.a\\.b`) set to `value` in a values tree, as
 * helm --set would: maps and lists are created on the way.
 */
export function setAtPath(values: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const steps = setPathSteps(path);
  let node: Record<string | number, unknown> = values;
  steps.forEach((step, index) => {
    growToHold(node, step);
    if (index === steps.length - 1) {
      node[step] = value;
      return;
    }
    const nextIsIndex = typeof steps[index + 1] === 'number';
    if (typeof node[step] !== 'object' || node[step] === null) node[step] = nextIsIndex ? [] : {};
    node = node[step] as Record<string | number, unknown>;
  });
  return values;
}
