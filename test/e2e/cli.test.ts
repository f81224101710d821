import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boutique, boutiqueBin, repoRoot } from '../support/cli.js';

/** Runs the built CLI in a pseudo-terminal (util-linux `script`), typing `input`, as a person at a shell would. */
async function inTerminal(args: string[], input: string) {
  const command = [process.execPath, boutiqueBin, ...args].map((word) => `'${word}'`).join(' ');
  const result = await execa('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    input,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  return { output: String(result.stdout).replace(/\r/g, ''), exitCode: result.exitCode };
}

describe('bad arguments: exit 2, a plain message, no help dump', () => {
  it('a flag typo names the flag and the closest one', async () => {
    const result = await boutique(['lint', '--selectr', 'tier=app']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'Error: Nonexistent flag: --selectr\n  hint: --selectr: did you mean --selector?\n  hint: boutique lint --help lists its arguments and flags\n',
    );
    expect(result.stdout).toBe('');
  });

  it('an argument of the wrong type is bad input, not a bug', async () => {
    const result = await boutique(['rollback', 'adservice', 'abc']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'Error: revision "abc" is not a revision number\n  hint: write a whole number from 1 up, as helm history lists them (or leave it out to roll back to the revision before the current one)\n',
    );
  });

  it('an option outside its choices and a missing argument', async () => {
    const output = await boutique(['lint', '-o', 'yaml']);
    expect(output.exitCode).toBe(2);
    expect(output.stderr).toMatch(/^Error: Expected --output=yaml to be one of: text, json\n/);
    const missing = await boutique(['history']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^Error: history needs a release, or --runs\n/);
    expect(missing.stderr).not.toContain('USAGE');
  });
});

describe('did you mean (cli/not-found.ts)', () => {
  it('in a terminal, offers the closest command and runs it when the user says yes', async () => {
    const result = await inTerminal(['grpah'], 'y\r');
    expect(result.output).toContain('grpah is not a boutique command.');
    expect(result.output).toContain('Did you mean graph?');
    expect(result.output).toMatch(/^4 +boutique\/loadgenerator +boutique\/frontend$/m);
    expect(result.exitCode).toBe(0);
  });

  it('without a terminal, names the closest command, and exits 127 without running anything', async () => {
    const result = await boutique(['grpah']);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('grpah is not a boutique command. Did you mean graph?\n');
    expect(result.stdout).toBe('');
  });

  it("maps helmfile's verbs: apply is sync, with or without a terminal", async () => {
    const piped = await boutique(['apply', '-e', 'dev']);
    expect(piped.exitCode).toBe(127);
    expect(piped.stderr).toContain(
      "apply is not a boutique command. Did you mean sync? (helmfile's apply is boutique's sync)\n",
    );
    const answeredNo = await inTerminal(['apply', '-e', 'dev'], 'n\r');
    expect(answeredNo.output).toContain("Did you mean sync? (helmfile's apply is boutique's sync)");
    expect(answeredNo.output).toContain('Run boutique sync -e dev? [y/N]');
    expect(answeredNo.exitCode).toBe(127);
  });
});

describe('boutique completion bash', () => {
  const script = () => boutique(['completion', 'bash']).then((result) => result.stdout);
  /** What bash offers for the words typed so far (the last one being typed), through the script boutique prints. */
  const complete = async (setup: string, words: string[], cwd = repoRoot) => {
    const quoted = words.map((word) => `'${word}'`).join(' ');
    const result = await execa(
      'bash',
      [
        '-c',
        `${setup}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _boutique_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      {
        cwd,
        env: { ...process.env, PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}` },
      },
    );
    return String(result.stdout).split('\n').filter(Boolean);
  };

  it('completes commands, flags, environment names and release names for boutique on PATH', async () => {
    const setup = await script();
    expect(await complete(setup, ['boutique', 'rol'])).toEqual(['rollback']);
    expect(await complete(setup, ['boutique', 'sync', '-e', ''])).toEqual(['default', 'dev', 'staging', 'prod']);
    expect(await complete(setup, ['boutique', 'rollback', 'fr'])).toEqual(['frontend']);
    expect(await complete(setup, ['boutique', 'rollback', '-e', 'prod', 'cart'])).toEqual(['cartservice']);
    expect(await complete(setup, ['boutique', 'diff', '-l', 'name=check'])).toEqual(['name=checkoutservice']);
    expect(await complete(setup, ['boutique', 'diff', '--take'])).toEqual([]);
    expect(await complete(setup, ['boutique', 'sync', '--take'])).toEqual(['--take-over']);
  });

  it('completes npx boutique as well, and leaves other npx commands alone', async () => {
    const setup = await script();
    expect(await complete(setup, ['npx', 'boutique', 'sync', '-e', 'st'])).toEqual(['staging']);
    expect(await complete(setup, ['npx', 'boutique', 'his'])).toEqual(['history']);
    expect(await complete(setup, ['npx', 'prettier', 'sy'])).toEqual([]);
  });
});

describe('shell completion (oclif plugin-autocomplete)', () => {
  it('completes commands and flags in bash from the setup line it prints', async () => {
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'boutique-completion-')) };
    const instructions = await boutique(['autocomplete', 'bash'], { env });
    expect(instructions.exitCode, instructions.stderr).toBe(0);
    expect(instructions.stdout).toContain('printf "$(boutique autocomplete script bash)" >> ~/.bashrc');
    const setupLine = (await boutique(['autocomplete', 'script', 'bash'], { env })).stdout.trim();
    expect(setupLine).toMatch(/^BOUTIQUE_AC_BASH_SETUP_PATH=/);
    const complete = (words: string[]) =>
      execa(
        'bash',
        [
          '-c',
          `${setupLine}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _boutique_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { ...process.env, ...env } },
      );
    expect(String((await complete(['boutique', 'hi'])).stdout).split('\n')).toEqual(['history']);
    expect(String((await complete(['boutique', 'diff', '--det'])).stdout).split('\n')).toEqual(['--detailed-exitcode']);
  });
});

describe('oclif manifest', () => {
  it('is built with the package and lists every command, so start-up reads it instead of loading each module', async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>;
    };
    const commandFiles = readdirSync(join(repoRoot, 'src', 'commands'))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(commandFiles).toEqual(expect.arrayContaining(['history', 'import', 'rollback', 'sync']));
    expect(Object.keys(manifest.commands).sort()).toEqual(commandFiles);
    const result = await boutique(['list'], { env: { DEBUG: 'oclif:config*' } });
    expect(result.stderr).toContain(`using manifest from ${join(repoRoot, 'oclif.manifest.json')}`);
    const gitignore = readFileSync(join(repoRoot, '.gitignore'), 'utf8');
    expect(gitignore.split('\n')).toContain('oclif.manifest.json');
  });
});

describe('the compiled code cache', () => {
  it('keeps the code V8 compiled on the first start and takes it on the next, writing nothing', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'boutique-compiled-'));
    const entries = () =>
      readdirSync(join(cache, 'compiled'))
        .sort()
        .map((name) => `${name} ${statSync(join(cache, 'compiled', name)).ino}`);
    const first = await boutique(['list'], { env: { BOUTIQUE_CACHE_DIR: cache } });
    expect(first.exitCode, first.stderr).toBe(0);
    // oclif, yaml, ajv (a first run validates releases.yaml) and boutique's own file: each has its entry.
    const made = entries();
    expect(made).toHaveLength(4);
    const next = await boutique(['list'], { env: { BOUTIQUE_CACHE_DIR: cache } });
    expect(next.stdout).toBe(first.stdout);
    // An entry V8 refused would be remembered anew: a new file, renamed into place, with another inode.
    expect(entries()).toEqual(made);
  });
});
