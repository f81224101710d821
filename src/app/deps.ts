import type { Release } from '../config/types.js';
import type { Helm } from '../helm/helm.js';
import type { Kubectl } from '../helm/kubectl.js';
import type { StorageDriver } from '../helm/records.js';

/** What the cluster-facing use cases need; commands build the real ones, tests pass fakes. */
export interface ClusterDeps {
  helm: Helm;
  kubectl: Kubectl;
  /** The hash of a release's inputs (inputs-hash.ts): one hasher per run, shared by the plan and the render cache. */
  inputsHash: (release: Release, key?: Buffer) => string;
  /** Where helm keeps its records (HELM_DRIVER), read once per run for every reader of them. */
  storageDriver: StorageDriver;
}
