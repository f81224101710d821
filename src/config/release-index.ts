import { closest } from '../text/suggest.js';

export type NeedResolution = { id: string } | { problem: string; hint: string };

/**
 * Release ids (`namespace/name`) by declaration index, indexed by id and by name so that resolving every need of
 * 20,000 releases stays linear. Only a need that resolves to nothing pays for a search of close names.
 */
export class ReleaseIndex {
  private readonly indexById = new Map<string, number>();
  private readonly idsByName = new Map<string, string[]>();

  constructor(readonly ids: readonly string[]) {
    ids.forEach((id, index) => {
      if (!this.indexById.has(id)) this.indexById.set(id, index);
      const name = id.slice(id.indexOf('/') + 1);
      const named = this.idsByName.get(name);
      if (!named) this.idsByName.set(name, [id]);
      else if (!named.includes(id)) named.push(id);
    });
  }

  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  /** Resolves a `needs` entry (name or namespace/name) of release `fromId`, or explains why it cannot. */
  resolveNeed(need: string, fromId: string): NeedResolution {
    const fromNamespace = fromId.slice(0, fromId.indexOf('/'));
    if (need.includes('/')) {
      if (this.indexById.has(need)) return { id: need };
      const sameName = this.idsByName.get(need.slice(need.indexOf('/') + 1)) ?? [];
      const suggestion = sameName.length === 1 ? sameName[0] : closest(need, this.indexById.keys());
      return {
        problem: `needs "${need}", but no release has that id`,
        hint: suggestion ? `did you mean "${suggestion}"?` : 'write namespace/name of a release declared in this file',
      };
    }
    const matches = this.idsByName.get(need) ?? [];
    if (matches.length === 1) return { id: matches[0]! };
    const sameNamespace = `${fromNamespace}/${need}`;
    if (matches.includes(sameNamespace)) return { id: sameNamespace };
    if (matches.length > 1)
      return {
        problem: `needs "${need}", which names releases in several namespaces (${matches.join(', ')})`,
        hint: `write it as namespace/name: ${matches.join(' or ')}`,
      };
    const names = [...this.idsByName.keys()].filter((name) => name !== fromId.slice(fromNamespace.length + 1));
    const name = closest(need, names);
    if (name === undefined)
      return {
        problem: `needs "${need}", but no release has that name`,
        hint: 'declare the release in releases.yaml or remove the need',
      };
    // A release of another namespace is suggested as namespace/name, so the suggestion is what to write.
    const candidates = this.idsByName.get(name)!;
    const suggestion = candidates.includes(`${fromNamespace}/${name}`) || candidates.length > 1 ? name : candidates[0]!;
    return {
      problem: `needs "${need}", but no release has that name`,
      hint: `did you mean "${suggestion}"? Perhaps you made a typo in needs or forgot to declare the release`,
    };
  }
}
