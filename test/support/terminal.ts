import { execa, type ResultPromise } from 'execa';
import { stripVTControlCharacters } from 'node:util';
import { boutiqueBin } from './cli.js';
import { until } from './wait.js';

/**
 * The built CLI in a pseudo-terminal (util-linux `script`), outside CI, that a test can type into: what a user at a
 * terminal sees and does. The screen is every byte the terminal received, control sequences removed.
 */
export class Terminal {
  private bytes = '';
  readonly process: ResultPromise;

  constructor(args: string[], options: { cwd: string; env: Record<string, string> }) {
    const command = [process.execPath, boutiqueBin, ...args].map((word) => `'${word}'`).join(' ');
    // A fresh pseudo-terminal has no size; listr2 wraps its lines to the terminal's width.
    this.process = execa(
      'script',
      ['--quiet', '--flush', '--return', '--command', `stty cols 160 rows 50; exec ${command}`, '/dev/null'],
      {
        cwd: options.cwd,
        env: { ...options.env, CI: '', GITHUB_ACTIONS: '', NO_COLOR: '1', TERM: 'xterm' },
        reject: false,
        stdin: 'pipe',
      },
    );
    this.process.stdout!.on('data', (chunk: Buffer) => (this.bytes += chunk.toString()));
  }

  get screen(): string {
    return stripVTControlCharacters(this.bytes).replaceAll('\r', '');
  }

  /** Waits until the screen shows `text` (bounded by the test's own timeout), then returns what came before it. */
  async waitFor(text: string): Promise<string> {
    await until(
      () => this.screen.includes(text) || this.process.exitCode !== null,
      `the terminal to show ${JSON.stringify(text)}`,
      { withinMs: 120_000, everyMs: 50 },
    );
    const at = this.screen.indexOf(text);
    if (at < 0) throw new Error(`the run ended without showing ${JSON.stringify(text)}:\n${this.screen}`);
    return this.screen.slice(0, at);
  }

  type(keys: string): void {
    this.process.stdin!.write(keys);
  }

  async exit(): Promise<{ exitCode: number; screen: string }> {
    const result = await this.process;
    return { exitCode: result.exitCode ?? -1, screen: this.screen };
  }
}
