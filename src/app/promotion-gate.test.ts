import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { wantedVersion } from './promotion-gate.js';

describe('the version the gate wants', () => {
  it('reads the values files as the run loaded them: a duplicate key the file allows is the last one, as for helm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-gate-'));
    const files: Record<string, string> = {
      'releases.yaml':
        'releases:\n  - { name: web, namespace: shop, chart: ./charts/app, values: [values/web.yaml] }\n',
      'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
      // A migration's file: helm takes the second key, and so must the gate.
      'values/web.yaml': '# boutique: allow-duplicate-keys\nimage:\n  tag: v1\nimage:\n  tag: v2\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const config = loadConfig(join(dir, 'releases.yaml'), 'default');
    expect(wantedVersion(config.releases[0]!)).toBe('v2');
  });
});
