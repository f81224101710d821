import { execute } from '@oclif/core';

/** The entry of the bundle: oclif, and every command, come from dist/ rather than from node_modules one by one. */
export async function main(root: string): Promise<void> {
  await execute({ dir: root });
}
