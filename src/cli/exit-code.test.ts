import { describe, expect, it } from 'vitest';
import { ConfigError, ExecError, InterruptedError, UsageError } from '../errors.js';
import { exitCodeOf } from './exit-code.js';

describe('exitCodeOf', () => {
  const plain = { detailedExitcode: false };
  const detailed = { detailedExitcode: true };

  it('says 2 for changes only under --detailed-exitcode', () => {
    expect(exitCodeOf({ changes: true }, plain)).toBe(0);
    expect(exitCodeOf({ changes: true }, detailed)).toBe(2);
    expect(exitCodeOf({ changes: false }, detailed)).toBe(0);
    expect(exitCodeOf({}, detailed)).toBe(0);
  });

  it('keeps 2 for bad input, except where 2 means changes', () => {
    expect(exitCodeOf({ error: new UsageError('bad selector') }, plain)).toBe(2);
    expect(exitCodeOf({ error: new ConfigError([]) }, plain)).toBe(2);
    expect(exitCodeOf({ error: new UsageError('bad selector'), changes: true }, detailed)).toBe(1);
  });

  it("says 1 for failures and keeps an interrupt's own code", () => {
    expect(exitCodeOf({ error: new ExecError('helm', [], 1, 'boom') }, detailed)).toBe(1);
    expect(exitCodeOf({ error: new Error('bug') }, plain)).toBe(1);
    expect(exitCodeOf({ error: new InterruptedError('stopped', 130) }, detailed)).toBe(130);
  });

  it('gives a verdict its own code, and an error goes before it', () => {
    expect(exitCodeOf({ verdict: 1 }, plain)).toBe(1);
    expect(exitCodeOf({ verdict: 2, changes: true }, detailed)).toBe(2);
    expect(exitCodeOf({ verdict: 0, changes: true }, detailed)).toBe(0);
    expect(exitCodeOf({ error: new ExecError('helm', [], 1, 'boom'), verdict: 0 }, plain)).toBe(1);
  });
});
