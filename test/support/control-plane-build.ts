import { controlPlaneBinary } from './control-plane.js';

/**
 * vitest globalSetup of the e2e tier: the test control plane is built (or found in the cache) once, before any test
 * file starts one; its first build on a fresh machine takes many minutes.
 */
export default function buildControlPlane(): void {
  controlPlaneBinary();
}
