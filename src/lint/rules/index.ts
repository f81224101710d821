import type { RuleDefinition } from '../rule.js';
import { configChecksum } from './config-checksum.js';
import {
  imageTag,
  livenessProbe,
  memoryLimit,
  privilegeEscalation,
  privileged,
  probePort,
  readinessProbe,
  resourceRequests,
  runAsNonRoot,
  writableRootFs,
} from './containers.js';
import { plaintextSecret } from './plaintext-secret.js';
import { pdbProduction, replicasProduction, spreadProduction } from './production.js';
import { nodePortService, serviceSelector } from './services.js';

/** Every layer-4 rule, in the order findings and docs list them. */
export const rules: readonly RuleDefinition[] = [
  imageTag,
  readinessProbe,
  livenessProbe,
  probePort,
  resourceRequests,
  memoryLimit,
  runAsNonRoot,
  privileged,
  privilegeEscalation,
  writableRootFs,
  replicasProduction,
  pdbProduction,
  spreadProduction,
  plaintextSecret,
  configChecksum,
  serviceSelector,
  nodePortService,
];
