import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { declaredEnvironments, loadConfig } from '../config/load.js';
import type { RawSetValue, Release } from '../config/types.js';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import { ConfigError, isRunError, UsageError } from '../errors.js';
import type { GitCli } from '../git/git.js';
import type { Helm } from '../helm/helm.js';
import { parseManifests, type HelmHook, type KubeObject } from '../kube/objects.js';
import { buildPlan } from '../plan/plan.js';
import { checkSelection, type Selector } from '../plan/select.js';
import { secretValuesOf } from '../secrets/mask.js';
import { withStandIns } from './cluster-secrets.js';
import { withSopsStandIns } from './sops-values.js';
import { builtDependenciesHash, createInputsHash } from './inputs-hash.js';
import { mapInOrder } from './pool.js';
import { ValuesFiles } from './values-files.js';

export interface BaseDiffOptions {
  /** releases.yaml in the working tree (--file): which file of each revision is compared. */
  file: string;
  /** The git ref of the base side. */
  base: string;
  /** The git ref of the head side; the working tree when absent. */
  head?: string;
  /** The environments compared; `all`: every environment either side declares. */
  environments: readonly string[] | 'all';
  selectors: readonly Selector[];
  includeNeeds: boolean;
  /** The command line's --set values, on both sides alike. */
  set: readonly RawSetValue[];
  concurrency: number;
}

export interface BaseDiffDeps {
  git: GitCli;
  /** Renders only (helm template): no cluster is contacted. */
  helm: Helm;
}

/**
 * A release the two revisions differ on. `changed`: its inputs differ, so both sides were rendered (the diff may
 * still hold no change); `added`/`removed`: only one side declares it; `renamed`: added, declared as a removed
 * release was (same chart, same values); `needs`: the same inputs, other needs.
 */
export type ReleaseChangeKind = 'changed' | 'added' | 'removed' | 'renamed' | 'needs';

export interface BaseReleaseChange {
  environment: string;
  /** The release id (`namespace/name`) at head; the base's for a removed release. */
  release: string;
  kind: ReleaseChangeKind;
  /** For `renamed`: the id the base declared. */
  renamedFrom?: string;
  /** Set when the needs differ: base's, then head's. */
  needs?: { base: string[]; head: string[] };
  /** The objects a sync would add, change and remove (none for `removed` and `needs`). */
  diff?: ReleaseDiff;
}

export interface BaseDiffOutcome {
  base: { ref: string; commit: string };
  /** `ref` absent: the working tree. */
  head: { ref?: string; commit?: string };
  environments: string[];
  /** Releases either side declares, over every environment compared. */
  releaseCount: number;
  /** Releases rendered, on one side or both: those whose inputs differ, or that only one side declares. */
  rendered: number;
  /** Per environment in the order compared, head's apply order, removed releases last. */
  changes: BaseReleaseChange[];
  /** Releases helm could not render, on the side named. */
  failed: { environment: string; release: Release; side: string; error: Error }[];
}

/** One side of the comparison: a releases.yaml in a folder, and its own hasher and values files. */
interface Side {
  name: 'base' | 'head';
  /** What messages call it: the ref, or `working tree`. */
  label: string;
  file: string;
  /** The environments its releases.yaml declares (read once: the file of 300 releases is no small parse). */
  declared: string[];
  inputsHash: (release: Release) => string;
  valuesFiles: ValuesFiles;
}

/**
 * `boutique diff --base REF`: what merging a change would do, from two revisions of the repository and helm
 * template alone, with no cluster. A release is rendered only when its inputs differ between the sides (the inputs
 * hash, plus the chart's built dependencies), and its objects are compared as the cluster diff compares them
 * (diffRelease: normalization, masking, rollout marks, `requires replace`), base standing in for the cluster.
 */
export async function diffAgainstBase(options: BaseDiffOptions, deps: BaseDiffDeps): Promise<BaseDiffOutcome> {
  // As git names the folders: a path through a symbolic link (macOS's /tmp) would not lie under git's top folder.
  const folder = dirname(resolve(options.file));
  const headFile = join(existsSync(folder) ? realpathSync(folder) : folder, basename(options.file));
  if (options.head === undefined && !existsSync(headFile))
    throw new UsageError(`cannot read ${options.file}: no such file`, {
      suggestions: ['run boutique in the folder of releases.yaml or pass --file'],
    });
  const root = await deps.git.root(dirname(headFile));
  const baseCommit = await deps.git.commit(root, options.base);
  const headCommit = options.head === undefined ? undefined : await deps.git.commit(root, options.head);
  const scratch = mkdtempSync(join(tmpdir(), 'boutique-base-'));
  const sides: Side[] = [];
  try {
    const side = (name: 'base' | 'head', label: string, file: string): Side => ({
      name,
      label,
      file,
      declared: declaredEnvironments(file),
      inputsHash: createInputsHash(),
      valuesFiles: new ValuesFiles(),
    });
    const checkout = async (name: 'base' | 'head', ref: string, commit: string): Promise<Side> => {
      const dir = join(scratch, name);
      await deps.git.extract(root, commit, dir, scratch);
      return side(name, ref, join(dir, relative(root, headFile)));
    };
    sides.push(await checkout('base', options.base, baseCommit));
    sides.push(
      headCommit && options.head
        ? await checkout('head', options.head, headCommit)
        : side('head', 'working tree', headFile),
    );
    const [base, head] = sides as [Side, Side];
    const environments =
      options.environments === 'all' ? [...new Set([...head.declared, ...base.declared])] : [...options.environments];
    const compared = environments.map((environment) => compareEnvironment(environment, base, head, options));
    const jobs = compared.flatMap(({ renders }) => renders);
    const rendered = await mapInOrder(jobs, options.concurrency, (job) =>
      renderObjects(job.release, job.side, deps.helm).catch((error: Error) => {
        if (isRunError(error)) throw error;
        return error;
      }),
    );
    const renders = new Map(jobs.map((job, index) => [job, rendered[index]!]));
    const failed: BaseDiffOutcome['failed'] = [];
    const changes = compared.flatMap(({ entries }) =>
      entries.flatMap((entry) => withObjectDiff(entry, renders, failed)),
    );
    return {
      base: { ref: options.base, commit: baseCommit },
      head: { ref: options.head, commit: headCommit },
      environments,
      releaseCount: compared.reduce((sum, { releaseCount }) => sum + releaseCount, 0),
      rendered: compared.reduce(
        (sum, { entries }) => sum + entries.filter((entry) => entry.base ?? entry.head).length,
        0,
      ),
      changes,
      failed,
    };
  } finally {
    for (const side of sides) side.valuesFiles.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The change with the objects a sync would add, change and remove, base's render standing for what is deployed and
 * live; [] when a side did not render (its failure is added to `failed`).
 */
function withObjectDiff(
  entry: Entry,
  renders: ReadonlyMap<RenderJob, Rendered | Error>,
  failed: BaseDiffOutcome['failed'],
): BaseReleaseChange[] {
  if (entry.change.kind === 'removed' || entry.change.kind === 'needs') return [entry.change];
  // A side with no render job is a release that side does not install: no objects.
  const objectsOf = (job: RenderJob | undefined): Rendered | undefined => {
    const result = job ? renders.get(job)! : { objects: [], hooks: [] };
    if (!(result instanceof Error)) return result;
    failed.push({ environment: entry.change.environment, release: job!.release, side: job!.side.label, error: result });
    return undefined;
  };
  const before = objectsOf(entry.base);
  const after = objectsOf(entry.head);
  if (!before || !after) return [];
  const { release } = entry;
  const diff = diffRelease({
    release: release.id,
    namespace: release.namespace,
    desired: after.objects,
    live: before.objects,
    deployed: before.objects,
    secrets: [...secretValuesOf(entry.baseRelease), ...secretValuesOf(release)],
    hooks: { deployed: before.hooks, planned: after.hooks },
    ignoreDifferences: release.ignoreDifferences,
  });
  return [{ ...entry.change, diff }];
}

interface RenderJob {
  side: Side;
  release: Release;
}

/** A release as one revision renders it: what helm applies, and its hooks apart, as a release record keeps them. */
interface Rendered {
  objects: KubeObject[];
  hooks: HelmHook[];
}

async function renderObjects(release: Release, side: Side, helm: Helm): Promise<Rendered> {
  const objects: KubeObject[] = [];
  const hooks: HelmHook[] = [];
  for (const obj of parseManifests(await helm.template(release, side.valuesFiles.argsFor(release)))) {
    const events = obj.metadata.annotations?.['helm.sh/hook'];
    if (events === undefined) objects.push(obj);
    else
      hooks.push({
        manifest: JSON.stringify(obj),
        events: events
          .split(',')
          .map((event) => event.trim())
          .filter((event) => event !== ''),
      });
  }
  return { objects, hooks };
}

/** A change, and the renders its object diff compares (none for a release only removed, or only its needs changed). */
interface Entry {
  change: BaseReleaseChange;
  /** The release at head (at base when removed), and at base when both declare it. */
  release: Release;
  baseRelease?: Release;
  base?: RenderJob;
  head?: RenderJob;
}

/**
 * The selected releases of one side in one environment, in apply order. None when the base has no releases.yaml
 * or does not declare the environment, or, under --all-environments, when head does not: an environment named with
 * -e that head does not declare is the usual error.
 */
function selectedReleases(side: Side, environment: string, options: BaseDiffOptions): Release[] {
  const absent = side.declared.length === 0 || (!side.declared.includes(environment) && environment !== 'default');
  if (absent && (side.name === 'base' || options.environments === 'all')) return [];
  let config;
  try {
    // Secrets are not compared: values from elsewhere (valueFrom) are stand-ins on both sides, read from nowhere.
    config = loadConfig(side.file, environment, { set: options.set, readSources: false });
  } catch (error) {
    // A base that does not load is named by its ref, not by the temporary folder it was read from.
    if (!(error instanceof ConfigError) || side.label === 'working tree') throw error;
    const folder = relative(process.cwd(), dirname(side.file));
    throw new ConfigError(
      error.issues.map((issue) => ({ ...issue, file: `${side.label}:${relative(folder, issue.file)}` })),
    );
  }
  // A selector that matches nothing at head is a typo, as for every command (one for a removed release included).
  if (side.name === 'head') checkSelection(config.releases, options.selectors);
  return buildPlan(config, { selectors: options.selectors, includeNeeds: options.includeNeeds }).releases.map(
    (release) => withStandIns(withSopsStandIns(release)),
  );
}

/**
 * What decides a release's render on one side: the inputs hash, the chart's built dependencies (a Chart.lock, a
 * vendored archive), and whether it is installed. Equal keys render equal manifests with the same helm.
 */
function renderKey(side: Side, release: Release): string {
  return createHash('sha256')
    .update(side.inputsHash(release))
    .update(builtDependenciesHash(release))
    .update(String(release.installed))
    .digest('hex');
}

/** The same release under another name: the same chart, values and options but for its name and namespace. */
function renameKey(side: Side, release: Release): string {
  return `${release.chartSource}\0${renderKey(side, { ...release, id: '', name: '', namespace: '' })}`;
}

function compareEnvironment(
  environment: string,
  base: Side,
  head: Side,
  options: BaseDiffOptions,
): { entries: Entry[]; renders: RenderJob[]; releaseCount: number } {
  const before = selectedReleases(base, environment, options);
  const after = selectedReleases(head, environment, options);
  const baseById = new Map(before.map((release) => [release.id, release]));
  const headIds = new Set(after.map((release) => release.id));
  const removed = before.filter((release) => !headIds.has(release.id));
  const renamedFrom = new Map<string, Release>();
  const entries: Entry[] = [];
  const renders: RenderJob[] = [];
  const job = (side: Side, release: Release): RenderJob | undefined => {
    if (!release.installed) return undefined;
    const rendering = { side, release };
    renders.push(rendering);
    return rendering;
  };
  for (const release of after) {
    const old = baseById.get(release.id);
    // The order of needs decides nothing: only which releases they name.
    const needsChanged =
      old && (old.needs.length !== release.needs.length || old.needs.some((need) => !release.needs.includes(need)));
    const needs = needsChanged ? { needs: { base: old.needs, head: release.needs } } : {};
    if (!old) {
      // Declared, but not installed here: a sync does nothing with it.
      if (!release.installed) continue;
      const key = renameKey(head, release);
      const original = removed.find(
        (candidate) => !renamedFrom.has(candidate.id) && renameKey(base, candidate) === key,
      );
      if (original) renamedFrom.set(original.id, release);
      const change: BaseReleaseChange = {
        environment,
        release: release.id,
        kind: original ? 'renamed' : 'added',
        ...(original && { renamedFrom: original.id }),
      };
      entries.push({ change, release, head: job(head, release) });
    } else if (renderKey(base, old) !== renderKey(head, release)) {
      entries.push({
        change: { environment, release: release.id, kind: 'changed', ...needs },
        release,
        baseRelease: old,
        base: job(base, old),
        head: job(head, release),
      });
    } else if (needs.needs) {
      entries.push({ change: { environment, release: release.id, kind: 'needs', ...needs }, release });
    }
  }
  for (const release of removed)
    if (release.installed && !renamedFrom.has(release.id))
      entries.push({ change: { environment, release: release.id, kind: 'removed' }, release });
  return { entries, renders, releaseCount: new Set([...before, ...after].map((release) => release.id)).size };
}
