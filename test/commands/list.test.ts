import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyShippedSystem } from '../support/system.js';
import { runCommand } from './run-command.js';

describe('list, in-process', () => {
  it('lists the shipped releases in apply order, as text and as one JSON document', async () => {
    const { dir } = copyShippedSystem();
    const text = await runCommand(['list', '-f', join(dir, 'releases.yaml'), '-e', 'dev']);
    expect(text).toMatchObject({ exitCode: 0, stderr: '' });
    expect(text.stdout.split('\n')[0]).toMatch(/^NAME/);
    expect(text.stdout).toContain('frontend');
    const json = await runCommand(['list', '-f', join(dir, 'releases.yaml'), '-e', 'dev', '-o', 'json']);
    const envelope = JSON.parse(json.stdout);
    expect(envelope).toMatchObject({
      schemaVersion: 1,
      command: 'list',
      environment: 'dev',
      ok: true,
      summary: { releases: 12 },
      errors: [],
    });
    expect(envelope.results.map((release: { name: string }) => release.name).at(-1)).toBe('loadgenerator');
  });
});
