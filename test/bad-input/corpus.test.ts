import { readdirSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from './corpus.js';
import { normalizeOutput, runInProcess, writeProject } from './run.js';

describe('every broken input: located, explained, exit 2', () => {
  it('has at least 60 cases, each with a distinct name', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((row) => row.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((row) => [row.name, row] as const))('%s', async (_, row) => {
    const dir = writeProject(row);
    try {
      const { stdout, stderr, exitCode, touched } = await runInProcess(row, dir);
      expect(exitCode).toBe(2);
      // Nothing contacted: no helm, kubectl, git or cluster, and nothing printed as a result.
      expect(touched).toEqual([]);
      expect(stdout).toBe('');
      expect(normalizeOutput(stderr, dir)).toBe(row.expected);
      // Every problem says what to do, and nothing points into a temporary file or shows a stack.
      const problems = stderr.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line) || line.startsWith('Error: '));
      expect(problems.length).toBeGreaterThan(0);
      expect(stderr).toContain('  hint: ');
      expect(stderr).not.toMatch(/boutique-values-|\n\s+at |This is a bug/);
    } finally {
      expect(readdirSync(dir).sort()).toEqual(
        [...new Set(['charts', 'values', ...Object.keys(row.files).map((path) => path.split('/')[0]!)])].sort(),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
