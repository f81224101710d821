/**
 * SIGINT and SIGTERM during a run that writes. The first starts nothing new and lets running helm operations finish
 * (their children are in a process group of their own, so the terminal's signal does not reach them). The second
 * stops them (`onSecond`): the run then unwinds as any failed run does, so it still prints its summary (or its one
 * JSON document), lets go of its lock and removes its temporary files. The run ends with the first signal's exit
 * code (130, 143). Only a third signal exits at once.
 */
export class Interrupts {
  signal: NodeJS.Signals | undefined;
  private received = 0;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.received++;
    if (this.received === 1) {
      this.signal = signal;
      this.onFirst(signal);
    } else if (this.received === 2) {
      this.onSecond(signal);
    } else {
      process.exit(exitCodeForSignal(this.signal!));
    }
  };

  constructor(
    private readonly onFirst: (signal: NodeJS.Signals) => void,
    private readonly onSecond: (signal: NodeJS.Signals) => void,
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
