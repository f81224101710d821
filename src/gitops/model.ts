import { posix, relative, sep } from 'node:path';
import type { Release, ReleasesConfig } from '../config/types.js';
import type { KubeObject } from '../kube/objects.js';
import type { Plan } from '../plan/plan.js';

/** Where the platform repository keeps what boutique exports: the controllers read charts and values from there. */
export interface GitSource {
  url: string;
  /** Branch the controllers follow. */
  revision: string;
  /** Folder of releases.yaml inside the repository ("." for its root). */
  path: string;
}

/** What an export works from: one environment's plan and each release's merged values (secret values left out). */
export interface ExportInput {
  config: ReleasesConfig;
  plan: Plan;
  /** By release id: the values boutique would give helm, merged in its layer order, without secret set values. */
  values: ReadonlyMap<string, Record<string, unknown>>;
  git: GitSource;
  /** Namespace of the controller's own objects (flux-system, argocd). */
  namespace: string;
  /** Reconcile interval (Flux). */
  interval: string;
  /** The folder the files are written to, so the app-of-apps root can point at it in the repository. */
  outputDir: string;
  /** Flux: put the environment before every object name (`prod-frontend`), so two environments' exports share a cluster. */
  prefixNames?: boolean;
}

/** Something a release uses that the target cannot express, or that needs a step of its own; never dropped silently. */
export interface ExportNote {
  release: string;
  feature: string;
  detail: string;
}

export interface ExportFile {
  /** Relative to the output folder. */
  path: string;
  objects: KubeObject[];
}

export interface ExportResult {
  files: ExportFile[];
  notes: ExportNote[];
}

/** The releases an environment runs: installed: false ones are left to the target to remove (they are not listed). */
export function exportedReleases(plan: Plan): Release[] {
  return plan.releases.filter((release) => release.installed);
}

/** A release's object name: its own name, or namespace-name where two namespaces hold the same name. */
export function objectName(release: Release, releases: readonly Release[]): string {
  const shared = releases.filter((other) => other.name === release.name).length > 1;
  return shared ? `${release.namespace}-${release.name}` : release.name;
}

/** A path on this machine as a path inside the repository (posix, relative to its root). */
export function repositoryPath(input: Pick<ExportInput, 'config' | 'git'>, absolute: string): string {
  return posix.normalize(posix.join(input.git.path, relative(input.config.baseDir, absolute).split(sep).join('/')));
}

/** Needs of a release that the export keeps (both ends installed), and a note for each one it cannot. */
export function exportedNeeds(
  release: Release,
  releases: readonly Release[],
): { needs: Release[]; notes: ExportNote[] } {
  const byId = new Map(releases.map((other) => [other.id, other]));
  const needs = release.needs.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const notes = release.needs
    .filter((id) => !byId.has(id))
    .map((id) => ({
      release: release.id,
      feature: 'needs',
      detail: `${id} is not exported (not selected, or installed: false here), so nothing waits for it`,
    }));
  return { needs, notes };
}
