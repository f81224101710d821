import type { Release } from '../config/types.js';
import { UnhealthyError } from '../errors.js';
import { describeVerdict, evaluateHealth, ruleName, type HealthVerdict } from '../health/evaluate.js';
import { healthLibrary } from '../health/library.js';
import { HealthRules, type CompiledRule } from '../health/rules.js';
import { goDurationMs } from '../helm/helm.js';
import type { Kubectl } from '../helm/kubectl.js';
import { objectRef, type KubeObject } from '../kube/objects.js';

const compiledRules = new WeakMap<readonly unknown[], HealthRules>();

/** The rules a release decides with: its releases.yaml rules (most specific first), then the built-in library. */
export function releaseHealthRules(release: Pick<Release, 'health'>): HealthRules {
  let rules = compiledRules.get(release.health);
  if (!rules) compiledRules.set(release.health, (rules = new HealthRules([...release.health, ...healthLibrary])));
  return rules;
}

/** The objects of a manifest that a health rule covers, each with its rule. */
export function objectsWithRules(
  release: Release,
  objects: readonly KubeObject[],
): { object: KubeObject; rule: CompiledRule }[] {
  const rules = releaseHealthRules(release);
  return objects.flatMap((object) => {
    const rule = rules.ruleFor(object);
    return rule ? [{ object, rule }] : [];
  });
}

export interface HealthWaitOptions {
  /** Says what the release waits on, each time that changes: `waiting for Certificate/demo-tls: Ready=False (Issuing)`. */
  onWaiting?: (detail: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Between two reads of the objects still waited for. */
  pollMs?: number;
  /** How long a controller has to write a first status before an object without one is judged by its rule. */
  statusGraceMs?: number;
}

const POLL_MS = 1_000;
const STATUS_GRACE_MS = 10_000;

/**
 * After helm's upgrade (and its wait for the built-in kinds) returned: reads the release's custom resources that a
 * health rule covers until every one is current. The first that its rule calls failed fails the release at once,
 * naming the object, the rule and the conditions; one still not current after the release's timeout fails it with
 * what each one says. Built-in kinds are not read (helm's wait decided them); every custom resource has a rule, if
 * only the library's last, the Kubernetes conventions.
 */
export async function waitForHealth(
  release: Release,
  manifestObjects: readonly KubeObject[],
  kubectl: Pick<Kubectl, 'getObject'>,
  options: HealthWaitOptions = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pending = objectsWithRules(release, manifestObjects);
  if (pending.length === 0) return;
  const started = now();
  const deadline = started + goDurationMs(release.timeout);
  let said = '';
  for (;;) {
    const statusGraceOver = now() - started >= (options.statusGraceMs ?? STATUS_GRACE_MS);
    const read = await Promise.all(
      pending.map(async (entry) => {
        const { object } = entry;
        const live = await kubectl.getObject({
          apiVersion: object.apiVersion,
          kind: object.kind,
          namespace: object.metadata.namespace ?? release.namespace,
          name: object.metadata.name,
        });
        const verdict: HealthVerdict = live
          ? evaluateHealth(live, entry.rule, { statusGraceOver })
          : { state: 'inProgress', reason: 'not found' };
        return { ...entry, verdict };
      }),
    );
    const failed = read.find(({ verdict }) => verdict.state === 'failed');
    if (failed) {
      throw new UnhealthyError(
        `${objectRef(failed.object)} failed: its health rule ${ruleName(failed.rule.rule)} says failed: ${failed.verdict.reason}`,
        {
          suggestions: [
            `kubectl describe ${failed.object.kind.toLowerCase()} ${failed.object.metadata.name} --namespace ${failed.object.metadata.namespace ?? release.namespace}; boutique health --list shows the rule`,
          ],
        },
      );
    }
    const waiting = read.filter(({ verdict }) => verdict.state !== 'current');
    if (waiting.length === 0) return;
    if (now() >= deadline) {
      throw new UnhealthyError(
        `not ready after ${release.timeout}: ${waiting.map(({ object, verdict }) => describeVerdict(objectRef(object), verdict, true)).join(', ')}`,
        {
          suggestions: [
            "raise the release's timeout if it is still on its way, or check the rule with boutique health --list",
          ],
        },
      );
    }
    const detail = `waiting for ${waiting.map(({ object, verdict }) => describeVerdict(objectRef(object), verdict)).join(', ')}`;
    if (detail !== said) options.onWaiting?.((said = detail));
    pending = waiting;
    await sleep(options.pollMs ?? POLL_MS);
  }
}
