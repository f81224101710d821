import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from '../support/tools.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const microserviceChart = join(repoRoot, 'charts/microservice');
export const redisChart = join(repoRoot, 'charts/redis');

/** A parsed Kubernetes object; tests reach into it freely. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [field: string]: any };

export interface RenderInput {
  release: string;
  chart: string;
  /** Values files, lowest precedence first. */
  valuesFiles?: string[];
  /** Inline values, written to temporary files and layered after valuesFiles. */
  values?: object[];
  namespace?: string;
}

/** The objects of one `helm template`, looked up by kind and name. */
export class Manifests {
  constructor(readonly objects: KubeObject[]) {}

  find(kind: string, name: string): KubeObject | undefined {
    return this.objects.find((o) => o.kind === kind && o.metadata.name === name);
  }

  get(kind: string, name: string): KubeObject {
    const found = this.find(kind, name);
    if (!found) throw new Error(`no ${kind}/${name} among ${this.kindsAndNames().join(', ')}`);
    return found;
  }

  ofKind(kind: string): KubeObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  kindsAndNames(): string[] {
    return this.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  }
}

async function runHelm(args: string[], values: object[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const dir = values.length > 0 ? mkdtempSync(join(tmpdir(), 'boutique-chart-test-')) : undefined;
  try {
    // JSON is YAML, so inline values become plain values files and keep helm's own layering.
    const inlineFiles = values.map((value, index) => {
      const file = join(dir!, `inline-${index}.yaml`);
      writeFileSync(file, JSON.stringify(value));
      return file;
    });
    const result = await execa(helmBinary(), [...args, ...inlineFiles.flatMap((file) => ['-f', file])], { reject: false });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function templateArgs(input: RenderInput): string[] {
  return [
    'template', input.release, input.chart,
    '--namespace', input.namespace ?? 'boutique',
    ...(input.valuesFiles ?? []).flatMap((file) => ['-f', file]),
  ];
}

export function parseManifests(text: string): Manifests {
  const objects = parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
  return new Manifests(objects);
}

/** Renders with the pinned helm and parses every document; rejects with helm's stderr on failure. */
export async function helmTemplate(input: RenderInput): Promise<Manifests> {
  const result = await runHelm(templateArgs(input), input.values ?? []);
  if (result.exitCode !== 0) throw new Error(`helm template ${input.release} failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Renders values that must be refused; returns helm's error output. */
export async function helmTemplateFailure(input: RenderInput): Promise<string> {
  const result = await runHelm(templateArgs(input), input.values ?? []);
  if (result.exitCode === 0) throw new Error(`helm template ${input.release} unexpectedly succeeded`);
  return result.stderr;
}

export async function helmLintStrict(chart: string, valuesFiles: string[], namespace: string): Promise<{ exitCode: number; output: string }> {
  const result = await runHelm(['lint', '--strict', chart, '--namespace', namespace, ...valuesFiles.flatMap((file) => ['-f', file])], []);
  return { exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}` };
}

/** Runs tasks at most `limit` at a time: the machine has two shared cores. */
export async function inBatches<T>(tasks: Array<() => Promise<T>>, limit = 2): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
