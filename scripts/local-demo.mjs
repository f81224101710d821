#!/usr/bin/env node
// npm run demo: from a laptop with kind or minikube to Online Boutique in a browser (docs/local-demo.md).
// 1. reuse the kube context of the dev environment, or create the cluster (kind, else minikube);
// 2. boutique sync -e dev; 3. kubectl port-forward to the frontend. It needs a real cluster: the images run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`demo: ${line}\n`);
function fail(message, hint, exitCode = 1) {
  process.stderr.write(`demo: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  process.exit(exitCode);
}

const usage = 'npm run demo -- --port 9090 --environment dev (npm keeps the flags before -- for itself)';
const options = (() => {
  try {
    return parseArgs({
      options: { port: { type: 'string', default: '8080' }, environment: { type: 'string', default: 'dev' } },
    }).values;
  } catch (error) {
    // `npm run demo --port 9090` hands the script only "9090": npm took --port as its own setting.
    const tookFlag = process.env.npm_config_port !== undefined ? ' (npm took --port as its own setting)' : '';
    return fail(`${error.message}${tookFlag}`, usage, 2);
  }
})();
if (!/^\d{1,5}$/.test(options.port) || Number(options.port) < 1 || Number(options.port) > 65535)
  fail(`--port ${options.port} is not a port (1-65535)`, usage, 2);
const onPath = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
/** Runs a command with the terminal attached; fails the demo when it fails. */
function step(command, args) {
  say(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) fail(`${command} ${args[0]} failed${result.error ? `: ${result.error.message}` : ''}`);
}
const boutiqueArgs = (args) => [join(root, 'bin', 'run.cjs'), ...args];
const boutiqueJson = (args) => {
  const result = spawnSync(process.execPath, boutiqueArgs([...args, '-o', 'json']), { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) fail(`boutique ${args[0]} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout).results;
};

if (!existsSync(join(root, 'dist', 'commands'))) step('npm', ['run', 'build']);

// The environment says which context and namespace the demo uses (releases.yaml: dev is kind-boutique).
const [frontend] = boutiqueJson(['list', '-e', options.environment, '-l', 'name=frontend']);
if (!frontend) fail(`the ${options.environment} environment has no frontend release`);
const kubectl = boutiqueJson(['version']).find((tool) => tool.name === 'kubectl');
if (!kubectl?.path) fail('boutique found no kubectl', kubectl?.error);
const contexts =
  spawnSync(kubectl.path, ['config', 'get-contexts', '--output', 'name'], { encoding: 'utf8' })
    .stdout?.split('\n')
    .filter(Boolean) ?? [];

const kindContext = 'kind-boutique';
let context;
if (contexts.includes(kindContext)) {
  context = kindContext;
  say(`reusing the kube context ${context}`);
} else if (onPath('kind')) {
  step('kind', ['create', 'cluster', '--name', 'boutique']);
  context = kindContext;
} else if (onPath('minikube')) {
  // minikube names the context after the profile.
  if (!contexts.includes('boutique'))
    step('minikube', ['start', '--profile', 'boutique', '--cpus', '4', '--memory', '8g']);
  context = 'boutique';
} else {
  fail(
    `no kube context ${kindContext}, and neither kind nor minikube is on PATH`,
    'install kind (https://kind.sigs.k8s.io) or minikube, or create the context yourself; the demo needs a real cluster',
  );
}

step(process.execPath, boutiqueArgs(['sync', '-e', options.environment, '--kube-context', context]));

const url = `http://localhost:${options.port}`;
say(
  `Online Boutique is at ${url} (Ctrl-C stops the port-forward; boutique destroy -e ${options.environment} --kube-context ${context} removes it)`,
);
const forward = spawn(
  kubectl.path,
  ['port-forward', '--context', context, '--namespace', frontend.namespace, 'service/frontend', `${options.port}:80`],
  { stdio: 'inherit' },
);
forward.on('exit', (code, signal) => {
  if (signal === 'SIGINT' || signal === 'SIGTERM') process.exit(0);
  fail(
    `kubectl port-forward stopped (exit ${code})`,
    `run it again: kubectl port-forward --context ${context} -n ${frontend.namespace} service/frontend ${options.port}:80`,
  );
});
process.on('SIGINT', () => forward.kill('SIGINT'));
