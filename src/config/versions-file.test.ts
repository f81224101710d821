import { describe, expect, it } from 'vitest';
import { parseImageAssignments } from '../promotion/image-assignments.js';
import { parseVersionsFile, updateVersionsFile } from './versions-file.js';

const names = ['frontend', 'cartservice', 'redis-cart'];

describe('versions files', () => {
  it('reads release → tag or digest, and an empty file as no versions', () => {
    expect(
      parseVersionsFile('# pinned by CI\nfrontend: 3f2a1c9\nredis-cart: "sha256:abc"\n', 'versions/prod.yaml', names),
    ).toEqual({
      versions: new Map([
        ['frontend', '3f2a1c9'],
        ['redis-cart', 'sha256:abc'],
      ]),
      issues: [],
    });
    expect(parseVersionsFile('# nothing yet\n', 'versions/dev.yaml', names)).toEqual({
      versions: new Map(),
      issues: [],
    });
  });

  it('locates every problem: unknown releases with the closest name, numbers to quote, a list instead of a map', () => {
    const { issues } = parseVersionsFile(
      'frontnd: abc\ncartservice: 1.10\nredis-cart: ""\n',
      'versions/prod.yaml',
      names,
    );
    expect(issues).toEqual([
      {
        file: 'versions/prod.yaml',
        line: 1,
        column: 1,
        path: '/frontnd',
        message: 'no release "frontnd" in releases.yaml',
        hint: 'did you mean "frontend"?',
      },
      {
        file: 'versions/prod.yaml',
        line: 2,
        column: 14,
        path: '/cartservice',
        message: 'the version of cartservice must be a non-empty string (an image tag or sha256: digest)',
        hint: 'quote it: cartservice: "1.10"',
      },
      {
        file: 'versions/prod.yaml',
        line: 3,
        column: 13,
        path: '/redis-cart',
        message: 'the version of redis-cart must be a non-empty string (an image tag or sha256: digest)',
        hint: 'e.g. redis-cart: 3f2a1c9',
      },
    ]);
    expect(parseVersionsFile('- frontend\n', 'v.yaml', names).issues.map((issue) => issue.message)).toEqual([
      'a versions file must be a map of release name to image tag or digest',
    ]);
  });

  it('edits in place, keeping comments, order and formatting; appends new releases quoted', () => {
    const before =
      '# prod: changed by pull request only\nfrontend: "v1" # the last release\n\n# the cart\ncartservice: v1\n';
    expect(
      updateVersionsFile(
        before,
        new Map([
          ['cartservice', '0755'],
          ['redis-cart', '1.10'],
        ]),
      ),
    ).toBe(
      '# prod: changed by pull request only\nfrontend: "v1" # the last release\n\n# the cart\ncartservice: "0755"\nredis-cart: "1.10"\n',
    );
    expect(updateVersionsFile('', new Map([['frontend', '3f2a1c9']]))).toBe('frontend: "3f2a1c9"\n');
  });

  it('reads back what it wrote as strings', () => {
    const written = updateVersionsFile(
      '',
      new Map([
        ['frontend', '1.10'],
        ['cartservice', 'no'],
        ['redis-cart', '0755'],
      ]),
    );
    expect(parseVersionsFile(written, 'v.yaml', names).versions).toEqual(
      new Map([
        ['frontend', '1.10'],
        ['cartservice', 'no'],
        ['redis-cart', '0755'],
      ]),
    );
  });

  it('parses set-image assignments, reporting every bad one at once', () => {
    expect(parseImageAssignments(['frontend=3f2a1c9', 'redis-cart=sha256:abc'], names)).toEqual(
      new Map([
        ['frontend', '3f2a1c9'],
        ['redis-cart', 'sha256:abc'],
      ]),
    );
    expect(() => parseImageAssignments(['frontnd=1', 'cartservice=', '=x'], names)).toThrow(
      'frontnd=1: no release "frontnd" in releases.yaml (did you mean "frontend"?)\ncartservice=: expected RELEASE=TAG or RELEASE=sha256:DIGEST\n=x: expected RELEASE=TAG or RELEASE=sha256:DIGEST',
    );
    expect(() => parseImageAssignments([], names)).toThrow('name at least one RELEASE=TAG');
  });
});
