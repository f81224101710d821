import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../src/tools/pinned.js';

/**
 * vitest setup of the e2e tier: each test file's boutique runs get a cache folder of their own, so what one file's
 * runs remember (renders, accepted input, deployed objects, live kinds) never meets another's, nor the developer's.
 * The installed tools, the built test control plane and sops are shared through links: they are installed, not remembered.
 */
const own = mkdtempSync(join(tmpdir(), 'boutique-test-cache-'));
for (const shared of ['tools', 'control-plane', 'sops']) {
  if (existsSync(join(cacheDir(), shared))) symlinkSync(join(cacheDir(), shared), join(own, shared));
}
process.env.BOUTIQUE_CACHE_DIR = own;
