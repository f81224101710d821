import type { Helm } from '../helm/helm.js';
import type { Kubectl } from '../helm/kubectl.js';

/** What the cluster-facing use cases need; commands build the real ones, tests pass fakes. */
export interface ClusterDeps {
  helm: Helm;
  kubectl: Kubectl;
}
