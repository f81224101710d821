import { compiled } from './compile-cache.js';

export { compiled };

/** The entry of the bundle (scripts/bundle.mjs): oclif, and every command, come from dist/compiled/. */
export async function main(root: string): Promise<void> {
  const { execute } = compiled('oclif-core') as typeof import('@oclif/core');
  await execute({ dir: root });
}
