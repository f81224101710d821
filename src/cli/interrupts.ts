/**
 * SIGINT and SIGTERM during a run that writes: the first starts nothing new and lets running helm operations finish
 * (their children are in a process group of their own, so the terminal's signal does not reach them); the second
 * stops them at once. The run then ends with its summary and the signal's exit code (130, 143).
 */
export class Interrupts {
  signal: NodeJS.Signals | undefined;
  private readonly handler = (signal: NodeJS.Signals) => {
    if (this.signal) {
      this.onSecond();
      process.exit(exitCodeForSignal(signal));
    }
    this.signal = signal;
    this.onFirst(signal);
  };

  constructor(
    private readonly onFirst: (signal: NodeJS.Signals) => void,
    private readonly onSecond: () => void,
  ) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  readonly mayStart = (): boolean => this.signal === undefined;

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

export const exitCodeForSignal = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? 143 : 130);
