import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyShippedSystem } from '../../test/support/system.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { promotionFindings } from './offline-gate.js';

function promotedSystem() {
  const system = copyShippedSystem();
  system.edit('releases.yaml', (text) =>
    text.replace('  prod:\n    namespace: boutique\n', '  prod:\n    namespace: boutique\n    promotedFrom: staging\n'),
  );
  mkdirSync(join(system.dir, 'versions'));
  const pin = (environment: string, text: string) =>
    writeFileSync(join(system.dir, 'versions', `${environment}.yaml`), text);
  return { ...system, pin, load: (environment: string) => loadConfig(join(system.dir, 'releases.yaml'), environment) };
}

describe('versions files in releases.yaml', () => {
  it("layer each entry right after the environment's overlay, as image.tag (or image.digest for a sha256: digest)", () => {
    const system = promotedSystem();
    system.pin(
      'prod',
      'frontend: "3f2a1c9"\nredis-cart: "sha256:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"\n',
    );
    const prod = system.load('prod');
    const frontend = prod.releases.find((release) => release.name === 'frontend')!;
    expect(frontend.values).toEqual([
      { kind: 'file', path: join(system.dir, 'values/frontend.yaml') },
      { kind: 'file', path: join(system.dir, 'values/prod/frontend.yaml') },
      { kind: 'inline', values: { image: { tag: '3f2a1c9' } } },
    ]);
    expect(prod.releases.find((release) => release.name === 'redis-cart')!.values.at(-1)).toEqual({
      kind: 'inline',
      values: { image: { digest: 'sha256:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f' } },
    });
    expect(prod.environment).toMatchObject({
      promotedFrom: 'staging',
      versionsFile: join(system.dir, 'versions/prod.yaml'),
    });
  });

  it('takes other values keys per release with versionKeys', () => {
    const system = promotedSystem();
    system.edit('releases.yaml', (text) =>
      text.replace(
        '    values: [values/frontend.yaml]\n',
        '    values: [values/frontend.yaml]\n    versionKeys: { tag: podAnnotations.version }\n',
      ),
    );
    system.pin('prod', 'frontend: "3f2a1c9"\n');
    expect(
      system
        .load('prod')
        .releases.find((release) => release.name === 'frontend')!
        .values.at(-1),
    ).toEqual({ kind: 'inline', values: { podAnnotations: { version: '3f2a1c9' } } });
  });

  it('refuses a promotedFrom that names no environment, or itself', () => {
    const system = promotedSystem();
    system.edit('releases.yaml', (text) =>
      text
        .replace('promotedFrom: staging', 'promotedFrom: stagin')
        .replace('    kubeContext: kind-boutique\n', '    kubeContext: kind-boutique\n    promotedFrom: dev\n'),
    );
    const error = (() => {
      try {
        system.load('prod');
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.issues.map((issue) => `${issue.line}:${issue.column} ${issue.message} (${issue.hint})`)).toEqual([
      '9:19 environment "dev" cannot be promoted from itself (name the environment it takes its versions from)',
      '14:19 promotedFrom names environment "stagin", which is not declared (did you mean "staging"?)',
    ]);
  });
});

describe('the promotion gate offline (lint)', () => {
  it('passes when prod pins what staging pins, and names each release that skips staging', () => {
    const system = promotedSystem();
    system.pin('staging', 'frontend: "3f2a1c9"\ncartservice: "3f2a1c9"\n');
    system.pin('prod', 'frontend: "3f2a1c9"\ncartservice: "3f2a1c9"\n');
    const prod = system.load('prod');
    expect(promotionFindings(prod, prod.releases)).toEqual([]);

    system.pin('prod', 'frontend: "9d8c7b6"\n');
    const skipped = system.load('prod');
    expect(
      promotionFindings(skipped, skipped.releases).map((finding) => `${finding.release}: ${finding.message}`),
    ).toEqual([
      'boutique/cartservice: cartservice pins v0.10.6, but staging pins 3f2a1c9',
      'boutique/frontend: frontend pins 9d8c7b6, but staging pins 3f2a1c9',
    ]);
    expect(promotionFindings(system.load('staging'), system.load('staging').releases)).toEqual([]);
  });
});
