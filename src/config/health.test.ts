import { describe, expect, it } from 'vitest';
import { formatIssue } from '../errors.js';
import { checkConfig } from './load.js';
import { normalize } from './normalize.js';
import type { FileProbe } from './file-probe.js';

const files: FileProbe = { isFile: () => true, isDirectory: () => true, readText: () => '' };
const check = (text: string) =>
  checkConfig(text, { file: 'releases.yaml', baseDir: '/repo', environment: 'prod', files });

const rules = `defaults:
  health:
    - apiVersion: cert-manager.io/v1
      kind: Certificate
      current: status.ready ==
environments:
  prod:
    health:
      - apiVersion: example.com/v1
        kind: Widget
        current: "has(status.ready) && )"
releases:
  - name: web
    chart: ./app
    health:
      - apiVersion: example.com/v1
        kind: Gadget
        current: |
          has(status.ready) &&
            status.ready + + ]
`;

describe('health rules in releases.yaml', () => {
  it('a CEL expression that does not parse is an issue at its line and column in the file', () => {
    const messages = check(rules).issues.map(formatIssue);
    expect(messages).toHaveLength(3);
    // CEL's own positions, moved into the file: a plain scalar, a quoted one, a block whose second line is wrong.
    expect(messages[0]).toMatch(
      /^releases\.yaml:5:29: the current expression of the health rule for Certificate is not valid CEL: /,
    );
    expect(messages[1]).toMatch(
      /^releases\.yaml:11:37: the current expression of the health rule for Widget is not valid CEL: /,
    );
    expect(messages[2]).toMatch(
      /^releases\.yaml:20:26: the current expression of the health rule for Gadget is not valid CEL: /,
    );
  });

  it("orders a release's rules before its environment's and the defaults", () => {
    const valid = rules
      .replace('status.ready ==', 'has(status.ready)')
      .replace('has(status.ready) && )', 'has(status.ready)')
      .replace('status.ready + + ]', 'status.ready');
    const { raw, issues } = check(valid);
    expect(issues).toEqual([]);
    const [web] = normalize(raw!, { file: 'releases.yaml', baseDir: '/repo', environment: 'prod', files }).releases;
    expect(web!.health.map((rule) => [rule.kind, rule.source])).toEqual([
      ['Gadget', { kind: 'user', where: 'releases.yaml releases[0].health[0]' }],
      ['Widget', { kind: 'user', where: 'releases.yaml environments.prod.health[0]' }],
      ['Certificate', { kind: 'user', where: 'releases.yaml defaults.health[0]' }],
    ]);
  });

  it('the schema refuses a rule without current, and keys Flux does not have', () => {
    const messages = check(
      'releases:\n  - name: web\n    chart: ./app\n    health:\n      - { apiVersion: example.com/v1, kind: Widget, ready: "true" }\n',
    ).issues.map(formatIssue);
    expect(messages.join('\n')).toMatch(/releases\.yaml:5:\d+: .*current/);
    expect(messages.join('\n')).toMatch(/ready/);
  });
});
