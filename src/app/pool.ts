/**
 * Runs `work` over `items` with at most `limit` at a time; results keep the items' order. `onSettled` sees each
 * result in item order as soon as it and all before it are done, so output can stream in plan order.
 */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  onSettled?: (result: R, index: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const done: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  let flushed = 0;
  const flush = () => {
    while (flushed < items.length && done[flushed]) {
      onSettled?.(results[flushed]!, flushed);
      flushed++;
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
      done[index] = true;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
