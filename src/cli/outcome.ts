import type { ReleaseErrors } from '../report/error-view.js';

/**
 * What a command hands back when its use case is done, for BoutiqueCommand to print in one place: the text (or
 * markdown) on stdout, or the JSON envelope; each failed release's error on stderr and in the envelope; one exit
 * code from exitCodeOf. What a run says while it works (progress, notes, warnings) goes to stderr as it happens.
 */
export interface Outcome {
  /** The envelope's results. */
  results: unknown[];
  /** The envelope's counts. */
  summary?: object;
  /** stdout under --output text or markdown; nothing under --output json. */
  text?: string;
  /** Releases that failed, each under its name (report/error-view.ts). */
  failed?: ReleaseErrors;
  /** The error that ends the run, raised once the outcome is printed (a summary of `failed`, an interrupt). */
  failure?: Error;
  /** Whether the plan changes something: the summary says so, and --detailed-exitcode exits 2 for it. */
  changes?: boolean;
  /** A verdict that is no error (lint's findings, import --strict): its exit code, and ok false unless it is 0. */
  verdict?: number;
}
