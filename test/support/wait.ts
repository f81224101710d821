/**
 * Polls `condition` (which may ask the emulator over HTTP) every `everyMs` until it holds, failing after `withinMs`
 * with what was awaited.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { withinMs = 60_000, everyMs = 100 } = {},
): Promise<void> {
  for (let waited = 0; !(await condition()); waited += everyMs) {
    if (waited > withinMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
