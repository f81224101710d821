import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe("the README's way of running boutique", () => {
  it('renders the system from a checkout as its first command says, and with bin/ on PATH as boutique', async () => {
    const first = /^npm ci && (bin\/boutique template -e dev) +#/m.exec(readme)?.[1];
    expect(first).toBeDefined();
    const env = { NO_COLOR: '1', CI: 'true' };
    const rendered = await execa('sh', ['-c', first!], { cwd: repoRoot, env, reject: false });
    expect(rendered.exitCode, String(rendered.stderr)).toBe(0);
    expect(String(rendered.stdout)).toContain(
      '# boutique: release boutique-dev/frontend (chart ./charts/microservice)\n',
    );
    expect(readme).toContain('export PATH="$PWD/bin:$PATH"');
    const onPath = await execa('sh', ['-c', 'export PATH="$PWD/bin:$PATH"; boutique list -e dev'], {
      cwd: repoRoot,
      env,
      reject: false,
    });
    expect(onPath.exitCode, String(onPath.stderr)).toBe(0);
    expect(String(onPath.stdout)).toMatch(/^frontend +boutique-dev /m);
  });
});
