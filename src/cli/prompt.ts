import { createInterface } from 'node:readline';

/**
 * Asks one question on a terminal and returns the answer, or undefined when Ctrl-C was pressed at the prompt.
 * readline reads the terminal in raw mode, so Ctrl-C reaches the prompt as a key, not as a SIGINT that a run's
 * interrupt handling would take for "finish what is running". Ctrl-D (end of input) answers "".
 */
export function ask(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string | undefined> {
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
