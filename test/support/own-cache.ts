import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../src/tools/pinned.js';

/**
 * vitest setup of the e2e tier: each test file's boutique runs get a cache folder of their own, so what one file's
 * runs remember (renders, accepted input, deployed objects, live kinds) never meets another's, nor the developer's.
 * The installed tools are shared through a link: they are installed, not remembered.
 */
const tools = join(cacheDir(), 'tools');
const own = mkdtempSync(join(tmpdir(), 'boutique-test-cache-'));
if (existsSync(tools)) symlinkSync(tools, join(own, 'tools'));
process.env.BOUTIQUE_CACHE_DIR = own;
