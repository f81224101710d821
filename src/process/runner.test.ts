import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecError } from '../errors.js';
import { ExecaRunner, isRetryable } from './runner.js';

/** A node script as an executable, in a fresh folder. */
function script(body: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-runner-'));
  const path = join(dir, 'tool');
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, dir };
}

describe('ExecaRunner', () => {
  it('gives a child no stdin to wait on: a credential prompt ends at once', async () => {
    const prompt = script("process.stdout.write('Username: '); process.stdin.on('data', () => {}); process.stdin.on('end', () => { console.error('error: EOF'); process.exit(1); });");
    const error = await new ExecaRunner().run(prompt.path, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).stderr).toContain('error: EOF');
  });

  it('stops a child that outlives its timeout and says so', async () => {
    const hang = script('setInterval(() => {}, 1000);');
    const error = (await new ExecaRunner().run(hang.path, [], { timeoutMs: 300 }).catch((caught: unknown) => caught)) as ExecError;
    expect(error.message).toMatch(/did not finish within 0 s and was stopped/);
  });

  it('tries a read again after a transient failure and counts it', async () => {
    const { path, dir } = script(`const fs = require('fs'); const f = process.argv[2];
let n = 0; try { n = Number(fs.readFileSync(f, 'utf8')); } catch {}
fs.writeFileSync(f, String(n + 1));
if (n < 2) { console.error('Error from server (InternalError): an error on the server ("boom") has prevented the request from succeeding'); process.exit(1); }
console.log('ok');`);
    const counter = join(dir, 'count');
    const runner = new ExecaRunner();
    expect((await runner.run(path, [counter], { retry: 'read' })).stdout).toBe('ok\n');
    expect(readFileSync(counter, 'utf8')).toBe('3');
    expect(runner.retries).toBe(2);
  });

  it('never repeats a write that may have landed', async () => {
    const { path, dir } = script(`require('fs').appendFileSync(process.argv[2], 'x'); console.error('Error: UPGRADE FAILED: an error on the server (InternalError)'); process.exit(1);`);
    const log = join(dir, 'log');
    await expect(new ExecaRunner().run(path, [log], { retry: 'write' })).rejects.toBeInstanceOf(ExecError);
    expect(readFileSync(log, 'utf8')).toBe('x');
  });

  it('retries a write only when helm failed before writing anything', () => {
    expect(isRetryable('write', 'Error: Kubernetes cluster unreachable: Get "https://x/version": dial tcp: connection refused')).toBe(true);
    expect(isRetryable('write', 'Error: UPGRADE FAILED: failed to create resource: Internal error occurred')).toBe(false);
    expect(isRetryable('read', 'Error from server (InternalError): Internal error occurred')).toBe(true);
    expect(isRetryable('read', 'error: You must be logged in to the server (Unauthorized)')).toBe(false);
  });
});
