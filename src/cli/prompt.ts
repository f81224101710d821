import { createInterface } from 'node:readline';
import { RefusedError } from '../errors.js';
import { exitCodeForSignal } from './interrupts.js';

/**
 * Asks one question on a terminal and returns the answer, or undefined when Ctrl-C was pressed at the prompt.
 * readline reads the terminal in raw mode, so Ctrl-C reaches the prompt as a key, not as a SIGINT that a run's
 * interrupt handling would take for "finish what is running". Ctrl-D (end of input) answers "".
 */
export function ask(
  question: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const prompt = createInterface({ input, output, terminal: true });
    let answer: string | undefined = '';
    prompt.on('SIGINT', () => {
      answer = undefined;
      output.write('^C\n');
      prompt.close();
    });
    prompt.on('close', () => {
      input.pause();
      resolve(answer);
    });
    prompt.question(question, (typed) => {
      answer = typed.trim();
      prompt.close();
    });
  });
}

/**
 * Asks before a destructive or production change, showing what will happen, before any progress is drawn. A
 * terminal gets a question; without one the run stops (exit 2) before anything is written, unless the caller had
 * --yes. Ctrl-C at the question stops the run at once (exit 130), nothing written. The time spent asking is added to
 * `prompted`, which a run's totals leave out.
 */
export async function confirm(what: string, details: string, prompted: { total: number }): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new RefusedError('NOT_CONFIRMED', `${what}: not confirmed, and there is no terminal to ask`, {
      suggestions: ['pass --yes to confirm (in CI, after an approval step)'],
    });
  }
  const asked = Date.now();
  const answer = await ask(`${details}\n${what}.\nType yes to continue: `);
  prompted.total += Date.now() - asked;
  if (answer === undefined)
    throw new RefusedError('NOT_CONFIRMED', `${what}: interrupted at the prompt; nothing was changed`, {
      exitCode: exitCodeForSignal('SIGINT'),
    });
  if (answer !== 'yes') throw new RefusedError('NOT_CONFIRMED', `${what}: not confirmed; nothing was changed`);
}
