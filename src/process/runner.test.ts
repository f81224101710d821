import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { until } from '../../test/support/wait.js';
import { ExecError } from '../errors.js';
import { ExecaRunner, isRetryable, KILL_AFTER_MS, withRetries } from './runner.js';

/** Whether a process runs (Linux): a zombie nobody reaped yet (PID 1 of a container may not) has stopped. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

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
    const prompt = script(
      "process.stdout.write('Username: '); process.stdin.on('data', () => {}); process.stdin.on('end', () => { console.error('error: EOF'); process.exit(1); });",
    );
    const error = await new ExecaRunner().run(prompt.path, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).stderr).toContain('error: EOF');
  });

  it('stops a child that outlives its timeout and says so', async () => {
    const hang = script('setInterval(() => {}, 1000);');
    const error = (await new ExecaRunner()
      .run(hang.path, [], { timeoutMs: 300 })
      .catch((caught: unknown) => caught)) as ExecError;
    expect(error.message).toMatch(/did not finish within 0 s and was stopped/);
  });

  it('stops every try by `until`, and starts no try again that would have no time left before it', async () => {
    const hang = script('setInterval(() => {}, 1000);');
    const error = (await new ExecaRunner()
      .run(hang.path, [], { timeoutMs: 600_000, until: Date.now() + 300 })
      .catch((caught: unknown) => caught)) as ExecError;
    expect(error.message).toMatch(/did not finish within 0 s and was stopped/);
    const { path, dir } = script(
      `require('fs').appendFileSync(process.argv[2], 'x'); console.error('Error: Kubernetes cluster unreachable: dial tcp: connection refused'); process.exit(1);`,
    );
    const log = join(dir, 'log');
    await expect(
      new ExecaRunner().run(path, [log], { retry: 'write', until: Date.now() + 2_000 }),
    ).rejects.toBeInstanceOf(ExecError);
    expect(readFileSync(log, 'utf8')).toBe('x');
  });

  it('stops a command bound by `until` by then even when boutique itself was killed (Linux: coreutils timeout)', async () => {
    // The command writes its PID, then hangs; the process that ran it (as boutique would) is SIGKILLed at once.
    const hang = script(
      `require('fs').writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const pidFile = join(hang.dir, 'pid');
    const bound = Date.now() + 1_500;
    const runnerUrl = new URL('./runner.ts', import.meta.url).href;
    const parent = execa(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { ExecaRunner } from ${JSON.stringify(runnerUrl)}; await new ExecaRunner().run(${JSON.stringify(hang.path)}, [${JSON.stringify(pidFile)}], { until: ${bound} });`,
      ],
      { reject: false },
    );
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 'the command to start', {
      withinMs: 10_000,
      everyMs: 50,
    });
    parent.kill('SIGKILL');
    await parent;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(pid)).toBe(true);
    // By the deadline a revision would record (until plus the SIGKILL delay), nothing of it is left.
    await new Promise((resolve) => setTimeout(resolve, bound + KILL_AFTER_MS - Date.now()));
    expect(running(pid)).toBe(false);
  });

  it('tries again 10 times while the server asks to be asked later (Retry-After), as client-go does; 4 times otherwise', async () => {
    vi.useFakeTimers();
    try {
      const tries = async (waitMs?: number) => {
        let count = 0;
        const retrying = withRetries(
          async () => count++,
          () => ({ why: 'busy', ...(waitMs !== undefined && { waitMs }) }),
          () => undefined,
        );
        await vi.runAllTimersAsync();
        await retrying;
        return count;
      };
      expect(await tries(1_000)).toBe(11);
      expect(await tries(0)).toBe(11);
      expect(await tries()).toBe(5);
    } finally {
      vi.useRealTimers();
    }
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
    const { path, dir } = script(
      `require('fs').appendFileSync(process.argv[2], 'x'); console.error('Error: UPGRADE FAILED: an error on the server (InternalError)'); process.exit(1);`,
    );
    const log = join(dir, 'log');
    await expect(new ExecaRunner().run(path, [log], { retry: 'write' })).rejects.toBeInstanceOf(ExecError);
    expect(readFileSync(log, 'utf8')).toBe('x');
  });

  it('retries a write only when helm failed before writing anything', () => {
    expect(
      isRetryable(
        'write',
        'Error: Kubernetes cluster unreachable: Get "https://x/version": dial tcp: connection refused',
      ),
    ).toBe(true);
    expect(isRetryable('write', 'Error: UPGRADE FAILED: failed to create resource: Internal error occurred')).toBe(
      false,
    );
    expect(isRetryable('read', 'Error from server (InternalError): Internal error occurred')).toBe(true);
    expect(isRetryable('read', 'error: You must be logged in to the server (Unauthorized)')).toBe(false);
  });

  it('never retries an untrusted certificate, nor what client-go already retried until it gave up', () => {
    // kubectl v1.35.2's own words against an untrusted server, a resetting one, and one that withholds its headers.
    expect(
      isRetryable(
        'read',
        'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority',
      ),
    ).toBe(false);
    expect(
      isRetryable(
        'write',
        'Error: Kubernetes cluster unreachable: Get "https://x/version": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      ),
    ).toBe(false);
    expect(
      isRetryable(
        'read',
        'error: Get "http://127.0.0.1:18081/api?timeout=32s": read tcp 127.0.0.1:56064->127.0.0.1:18081: read: connection reset by peer - error from a previous attempt: read: connection reset by peer',
      ),
    ).toBe(false);
    expect(
      isRetryable(
        'read',
        'Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
      ),
    ).toBe(false);
    expect(
      isRetryable(
        'read',
        'The connection to the server 127.0.0.1:18083 was refused - did you specify the right host or port?',
      ),
    ).toBe(false);
    expect(
      isRetryable(
        'read',
        'Error: Kubernetes cluster unreachable: Get "https://x/version": dial tcp 127.0.0.1:1: connect: connection refused',
      ),
    ).toBe(true);
  });
});
