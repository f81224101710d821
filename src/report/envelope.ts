import { AppError, ConfigError, ExecError } from '../errors.js';

/** Bumped when a field changes meaning or goes away; additions keep the version. */
export const REPORT_SCHEMA_VERSION = 1;

/** One problem, the same shape for every command: what, where, and what to do. */
export interface ReportedError {
  code: string;
  message: string;
  release?: string;
  file?: string;
  line?: number;
  column?: number;
  command?: string[];
  hints: string[];
}

/** The one document every `--output json` run prints, success or failure. */
export interface Envelope {
  schemaVersion: number;
  command: string;
  ok: boolean;
  environment?: string;
  /** The counts of the run; empty when it failed before it had any. */
  summary: object;
  results: unknown[];
  errors: ReportedError[];
}

/** Every problem an error stands for: a config error is one entry per issue, located. */
export function reportedErrors(error: unknown, release?: string): ReportedError[] {
  if (error instanceof ConfigError) {
    return error.issues.map((issue) => ({
      code: error.code,
      message: issue.message,
      file: issue.file,
      line: issue.line,
      column: issue.column,
      hints: issue.hint ? [issue.hint] : [],
    }));
  }
  const message = error instanceof Error ? error.message : String(error);
  return [
    {
      code: error instanceof AppError ? error.code : 'INTERNAL',
      message,
      ...(release && { release }),
      ...(error instanceof ExecError && { command: [error.command, ...error.args] }),
      hints:
        error instanceof AppError
          ? error.suggestions
          : ['this is a bug in boutique: please report it with the output of --debug'],
    },
  ];
}
