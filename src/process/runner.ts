import { execa, type ExecaError } from 'execa';
import { ExecError, ToolError } from '../errors.js';
import { maskSecretValues, redactArgs } from '../secrets/mask.js';

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  /** Exit codes that are answers rather than failures (kubectl diff exits 1 when there are differences). */
  okExitCodes?: number[];
  /** Strings to hide wherever they appear in an error (values marked secret). */
  secrets?: string[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The one door to child processes: argument arrays, never a shell. */
export interface Runner {
  run(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
}

const hide = (text: string, secrets: readonly string[] = []): string => maskSecretValues(text, secrets);

export class ExecaRunner implements Runner {
  /** `trace` sees every command line before it runs, --set values redacted (for --debug). */
  constructor(private readonly trace?: (commandLine: string) => void) {}

  async run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    this.trace?.(hide([command, ...redactArgs(args)].join(' '), options.secrets));
    try {
      const result = await execa(command, args, {
        env: options.env,
        input: options.input,
        cwd: options.cwd,
        reject: false,
        stripFinalNewline: false,
      });
      if (result.failed && result.exitCode === undefined) throw result;
      const exitCode = result.exitCode ?? 1;
      if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
        throw new ExecError(command, redactArgs(args).map((arg) => hide(arg, options.secrets)), exitCode, hide(String(result.stderr), options.secrets));
      }
      return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
    } catch (error) {
      if (error instanceof ExecError) throw error;
      const execaError = error as ExecaError;
      if (execaError.code === 'ENOENT') throw new ToolError(`${command}: not found`, { cause: error, suggestions: ['install it, or point boutique at it with --helm-binary or BOUTIQUE_HELM'] });
      throw new ExecError(command, redactArgs(args), undefined, hide(execaError.shortMessage ?? String(error), options.secrets), { cause: error });
    }
  }
}
