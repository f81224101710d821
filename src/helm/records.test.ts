import { describe, expect, it } from 'vitest';
import { parseManifests } from '../kube/objects.js';
import { hooksFromHelm } from './records.js';

describe('hooksFromHelm', () => {
  it("reads helm get hooks as the record holds the hooks: each object with its annotation's events, as helm parses them", () => {
    const printed = [
      '---',
      '# Source: app/templates/migrate.yaml',
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: app-migrate',
      '  annotations:',
      '    helm.sh/hook: " Pre-Install, pre-upgrade"',
      'spec:',
      '  template:',
      '    spec:',
      '      volumes: [{ name: scripts, configMap: { name: app-scripts, defaultMode: 0755 } }]',
      '---',
      '# Source: app/templates/tests/ping.yaml',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: app-ping',
      '  annotations:',
      '    helm.sh/hook: test-success',
      '',
    ].join('\n');
    const hooks = hooksFromHelm(printed);
    expect(hooks.map((hook) => hook.events)).toEqual([['pre-install', 'pre-upgrade'], ['test']]);
    // The manifest means the very object helm printed, YAML 1.1 octal included.
    expect(hooks.flatMap((hook) => parseManifests(hook.manifest))).toEqual(parseManifests(printed));
    expect(JSON.stringify(parseManifests(hooks[0]!.manifest))).toContain('"defaultMode":493');
  });
});
