import { sopsToolsDir } from './sops.js';

/** vitest globalSetup of the e2e tier: the real sops CLI and age-keygen are built (or found in the cache) once. */
export default function buildSops(): void {
  sopsToolsDir();
}
