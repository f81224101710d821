import { readFileSync } from 'node:fs';
import { parseGoYaml } from '../yaml/go-yaml.js';

/** What completion knows of the CLI: each command's flags, and which take a release name as their first argument. */
export interface CompletionCommands {
  [id: string]: { flags: string[]; releaseArgument: boolean };
}

/** The environments and release names a releases.yaml declares; none when it cannot be read. */
export function namesIn(file: string): { environments: string[]; releases: string[] } {
  try {
    const raw = parseGoYaml(readFileSync(file, 'utf8')) as {
      environments?: Record<string, unknown>;
      releases?: { name?: unknown }[];
    };
    const releases = (raw.releases ?? [])
      .map((release) => release?.name)
      .filter((name): name is string => typeof name === 'string');
    return { environments: ['default', ...Object.keys(raw.environments ?? {})], releases: [...new Set(releases)] };
  } catch {
    return { environments: [], releases: [] };
  }
}

/** The global flags whose value is the next word. */
const takesValue = new Set([
  '-f',
  '--file',
  '-e',
  '--environment',
  '-l',
  '--selector',
  '--kube-context',
  '-o',
  '--output',
  '--set',
  '--set-string',
  '--set-secret',
  '--concurrency',
  '--lock-timeout',
  '--helm-binary',
]);

/**
 * The words that may stand where the last of `words` (the words after `boutique`, the one being typed last) is:
 * commands, a command's flags, environment names after -e, `name=RELEASE` after -l, and release names as the
 * argument of rollback and history. Pure but for reading releases.yaml (-f, else ./releases.yaml).
 */
export function completions(
  words: readonly string[],
  commands: CompletionCommands,
  names: (file: string) => { environments: string[]; releases: string[] } = namesIn,
): string[] {
  if (words.length <= 1) return Object.keys(commands).sort();
  const command = commands[words[0]!];
  if (!command) return [];
  const previous = words.at(-2)!;
  const fileAt = words.findIndex((word) => word === '-f' || word === '--file');
  const file = fileAt >= 0 && words[fileAt + 1] ? words[fileAt + 1]! : 'releases.yaml';
  if (previous === '-e' || previous === '--environment' || previous === '--from' || previous === '--to')
    return names(file).environments;
  if (previous === '-l' || previous === '--selector') return names(file).releases.map((name) => `name=${name}`);
  if (words.at(-1)!.startsWith('-')) return command.flags;
  const typed = words.slice(1, -1);
  const positional = typed.filter((word, index) => !word.startsWith('-') && !takesValue.has(typed[index - 1] ?? ''));
  return command.releaseArgument && positional.length === 0 ? names(file).releases : [];
}

/** The bash completion of `boutique`, and of `npx boutique` (any other npx command keeps bash's default completion). */
export function bashCompletionScript(): string {
  return `# boutique completion for bash: eval "$(boutique completion bash)" in ~/.bashrc
_boutique_complete() {
  local first=1 bin=(boutique)
  if [[ \${COMP_WORDS[0]} == npx ]]; then
    [[ \${COMP_WORDS[1]} == boutique && \${COMP_CWORD} -ge 2 ]] || return 124
    first=2 bin=(npx --no-install boutique)
  fi
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$("\${bin[@]}" completion words -- "\${COMP_WORDS[@]:first:COMP_CWORD-first+1}" 2>/dev/null)" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -F _boutique_complete boutique
complete -o default -o bashdefault -F _boutique_complete npx
`;
}
