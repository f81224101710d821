import { createDecipheriv, createHash } from 'node:crypto';
import { join } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';
import { ConfigError } from '../errors.js';
import { issueAt, type ParsedDocument, type PathSegment } from '../config/parse.js';
import type { SecretValue } from './mask.js';

/**
 * Values files encrypted by sops (https://github.com/getsops/sops), read in memory (issue 31). The data key is
 * unwrapped with age by `age-encryption` (the reference TypeScript implementation of age); the file format sops
 * documents is applied with node:crypto: each encrypted leaf is `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`,
 * AES-256-GCM under the data key with the leaf's map keys joined by `:` plus a trailing `:` as additional data (list
 * items add nothing), and the MAC is SHA-512 over the leaves in file order, stored encrypted with `lastmodified` as
 * additional data (sops.go Tree.Decrypt, aes/cipher.go, cmd/sops/common DecryptTree). A file is refused unless its
 * MAC matches, as `sops decrypt` refuses it.
 */

/** A decrypted sops values file: its values as helm gets them, and the leaves that were encrypted (secret). */
export interface SopsValues {
  values: Record<string, unknown>;
  secrets: SecretValue[];
}

/** The age keys sops itself would use, and where they were looked for (for the message when none fits). */
export interface AgeKeys {
  identities: { key: string; from: string }[];
  looked: string[];
  issues: string[];
}

/**
 * The age identities from where sops looks for them (age/keysource.go loadIdentities): SOPS_AGE_KEY (keys split at
 * whitespace), the file SOPS_AGE_KEY_FILE names, and the default key file `$XDG_CONFIG_HOME/sops/age/keys.txt`
 * (`~/.config/sops/age/keys.txt`). Lines that are empty or start with `#` are skipped, as age-keygen's comments are.
 */
export function ageKeys(env: NodeJS.ProcessEnv, home: string, readText: (path: string) => string | undefined): AgeKeys {
  const keys: AgeKeys = { identities: [], looked: [], issues: [] };
  const take = (text: string, from: string, split: boolean) => {
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      for (const key of split ? line.trim().split(/\s+/) : [line.trim()]) {
        if (/^AGE-SECRET-KEY-(PQ-)?1/.test(key)) keys.identities.push({ key, from });
        else
          keys.issues.push(
            `${from} holds a line that is not an age secret key (AGE-SECRET-KEY-1…)${key.startsWith('AGE-PLUGIN-') ? ': age plugins are not supported' : ''}`,
          );
      }
    }
  };
  keys.looked.push('SOPS_AGE_KEY');
  if (env.SOPS_AGE_KEY !== undefined) take(env.SOPS_AGE_KEY, 'SOPS_AGE_KEY', true);
  keys.looked.push('SOPS_AGE_KEY_FILE');
  if (env.SOPS_AGE_KEY_FILE !== undefined) {
    const text = readText(env.SOPS_AGE_KEY_FILE);
    if (text === undefined) keys.issues.push(`SOPS_AGE_KEY_FILE names ${env.SOPS_AGE_KEY_FILE}, which cannot be read`);
    else take(text, `SOPS_AGE_KEY_FILE (${env.SOPS_AGE_KEY_FILE})`, false);
  }
  const defaultFile = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'sops', 'age', 'keys.txt');
  keys.looked.push(defaultFile);
  const text = readText(defaultFile);
  if (text !== undefined) take(text, defaultFile, false);
  return keys;
}

/** Key sources sops knows that boutique does not read yet, by their name in the `sops` metadata. */
const otherKeyTypes: Record<string, string> = {
  pgp: 'pgp',
  kms: 'AWS KMS (kms)',
  gcp_kms: 'GCP KMS (gcp_kms)',
  azure_kv: 'Azure Key Vault (azure_kv)',
  hc_vault: 'HashiCorp Vault (hc_vault)',
  hckms: 'HuaweiCloud KMS (hckms)',
};

/** Metadata options that change which leaves are encrypted in ways boutique does not apply yet. */
const unsupportedOptions = ['unencrypted_comment_regex', 'encrypted_comment_regex'];

const ENCRYPTED = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** sops's MAC with mac_only_encrypted starts from these bytes (sops.go MACOnlyEncryptedInitialization). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

/** An input problem in a sops file, at its place in the file. */
class SopsIssue extends Error {
  constructor(
    readonly path: PathSegment[],
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Decrypts a parsed sops values file (isSopsDocument) with the keys given: the values and its secret leaves, or a
 * ConfigError at the file's line and column: no key for any of its recipients, a recipient type not supported, a
 * value that is not sops's format or does not decrypt (changed, or moved to another key), a MAC that does not match.
 */
export async function decryptSopsValues(parsed: ParsedDocument, keys: AgeKeys): Promise<SopsValues> {
  try {
    return await decrypt(parsed, keys);
  } catch (error) {
    throw located(parsed, error);
  }
}

/** A SopsIssue as an input error at its place in the file; any other error as it is. */
function located(parsed: ParsedDocument, error: unknown): unknown {
  return error instanceof SopsIssue
    ? new ConfigError([issueAt(parsed, error.path, `sops file ${parsed.file}: ${error.message}`, error.hint)])
    : error;
}

async function decrypt(parsed: ParsedDocument, keys: AgeKeys): Promise<SopsValues> {
  const metadata = metadataOf(parsed);
  const dataKey = await unwrapDataKey(metadata, keys, parsed.file);
  const macOnlyEncrypted = metadata.mac_only_encrypted === true;
  const mac = createHash('sha512');
  if (macOnlyEncrypted) mac.update(MAC_ONLY_ENCRYPTED_INIT);
  const tree = readTree(
    parsed,
    metadata,
    (text, aad, at) => decryptLeaf(text, dataKey, aad, at),
    (value, encrypted) => {
      if (!macOnlyEncrypted || encrypted) mac.update(macBytes(value));
    },
  );
  const computed = mac.digest('hex').toUpperCase();
  if (typeof metadata.mac !== 'string' || metadata.mac === '')
    throw new SopsIssue(['sops'], 'has no MAC', 'encrypt the file with sops, which writes one');
  const stored = decryptLeaf(metadata.mac, dataKey, rfc3339(metadata.lastmodified), ['sops', 'mac'], 'the MAC');
  if (stored !== computed)
    throw new SopsIssue(
      ['sops', 'mac'],
      'the MAC does not match the values: the file was changed after sops encrypted it',
      'restore the file from git, or edit it with sops (sops edit), which keeps the MAC in step',
    );
  return tree;
}

/**
 * A sops file as a render without its key sees it (diff --base, which compares revisions of the repository): each
 * encrypted value becomes a stand-in named after its ciphertext, typed as sops typed the value. sops keeps a
 * value's ciphertext when an edit leaves the value as it was (aes/cipher.go keeps its IV), so two revisions differ
 * only where a value changed, and a changed value shows as a masked change. Nothing is decrypted or verified.
 */
export function sopsStandIns(parsed: ParsedDocument): SopsValues {
  try {
    return readTree(parsed, metadataOf(parsed), (text) => {
      const type = ENCRYPTED.exec(text)?.[4];
      if (text === '' || type === undefined) return text;
      const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
      if (type === 'int' || type === 'float') return Number.parseInt(digest, 16);
      // A boolean's stand-in cannot follow its value: a changed boolean does not show.
      if (type === 'bool') return true;
      return `boutique-stand-in-for-sops-${digest}`;
    });
  } catch (error) {
    throw located(parsed, error);
  }
}

/** The `sops` metadata of a file, refused where it uses what boutique does not support yet. */
function metadataOf(parsed: ParsedDocument): Record<string, unknown> {
  const metadata = (parsed.value as { sops: Record<string, unknown> }).sops;
  for (const option of unsupportedOptions) {
    if (metadata[option] !== undefined && metadata[option] !== '')
      throw new SopsIssue(
        ['sops', option],
        `the sops option ${option} is not supported yet`,
        'encrypt the file without it (sops decrypt, then sops encrypt without --encrypted-comment-regex/--unencrypted-comment-regex)',
      );
  }
  if (Array.isArray(metadata.key_groups) && metadata.key_groups.length > 0)
    throw new SopsIssue(
      ['sops', 'key_groups'],
      'sops key groups (Shamir secret sharing) are not supported yet',
      'encrypt the file for age recipients without key groups',
    );
  return metadata;
}

/**
 * The values of a sops file, in file order (sops.go walkBranch): each leaf its metadata says is encrypted goes
 * through `leaf` with its additional data (the map keys above it joined by `:`, plus `:`; list items add nothing),
 * and is a secret value; the others are read as they are. `visit` sees every leaf in order, as sops's MAC does,
 * the ones in clear as sops reads them.
 */
function readTree(
  parsed: ParsedDocument,
  metadata: Record<string, unknown>,
  leaf: (text: string, aad: string, at: PathSegment[]) => unknown,
  visit?: (value: unknown, encrypted: boolean) => void,
): SopsValues {
  const rules = encryptionRules(metadata);
  const secrets: SecretValue[] = [];
  const walk = (node: unknown, keysPath: string[], at: PathSegment[]): unknown => {
    if (isAlias(node))
      throw new SopsIssue(
        at,
        'holds a YAML alias, which sops files do not',
        'encrypt a file written out without anchors and aliases',
      );
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key))
          throw new SopsIssue(at, 'holds a map key that is not a plain string', 'sops supports only string keys');
        const key = keyText(pair.key);
        if (at.length === 0 && key === 'sops') continue;
        out[key] = walk(pair.value, [...keysPath, key], [...at, key]);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item, index) => walk(item, keysPath, [...at, index]));
    if (!isScalar(node) || node.value === null || node.value === undefined) return null;
    if (!rules(keysPath)) {
      visit?.(yaml12Value(node), false);
      return node.value;
    }
    if (typeof node.value !== 'string')
      throw new SopsIssue(
        at,
        `${describePath(at)} should be encrypted but holds a plain ${typeof node.value}`,
        'encrypt the file again with sops (sops encrypt), or restore the value sops wrote',
      );
    const value = leaf(node.value, `${keysPath.join(':')}:`, at);
    if (value !== '') secrets.push({ path: setPath(at), value });
    visit?.(value, true);
    return value;
  };
  return { values: walk(parsed.doc.contents, [], []) as Record<string, unknown>, secrets };
}

/** The data key: the first age recipient's `enc` that one of the keys opens. */
async function unwrapDataKey(metadata: Record<string, unknown>, keys: AgeKeys, file: string): Promise<Uint8Array> {
  const recipients = Array.isArray(metadata.age) ? (metadata.age as { recipient?: unknown; enc?: unknown }[]) : [];
  if (recipients.length === 0) {
    const others = Object.keys(otherKeyTypes).filter(
      (name) => Array.isArray(metadata[name]) && (metadata[name] as unknown[]).length > 0,
    );
    const hint =
      'add an age recipient to the file (sops updatekeys with age in .sops.yaml, or sops rotate --add-age age1…)';
    if (others.length === 0) throw new SopsIssue(['sops'], 'names no recipient to decrypt it with', hint);
    throw new SopsIssue(
      ['sops', others[0]!],
      `recipient type ${others.map((name) => otherKeyTypes[name]).join(', ')} is not supported yet: boutique decrypts sops files for age recipients`,
      hint,
    );
  }
  const hint = `set SOPS_AGE_KEY_FILE to the age key file for ${recipients.map((entry) => String(entry.recipient)).join(' or ')} (or SOPS_AGE_KEY to the key itself)`;
  if (keys.identities.length === 0) {
    throw new SopsIssue(
      ['sops', 'age'],
      `no age key found to decrypt it (looked in ${keys.looked.join(', ')})${keys.issues.length > 0 ? `; ${keys.issues.join('; ')}` : ''}`,
      hint,
    );
  }
  // Loaded on first use: a run without a sops file never loads age (and its post-quantum ciphers).
  const { Decrypter, armor } = await import('age-encryption');
  const decrypter = new Decrypter();
  const issues = [...keys.issues];
  for (const identity of keys.identities) {
    try {
      decrypter.addIdentity(identity.key);
    } catch {
      issues.push(`${identity.from} holds a malformed age secret key`);
    }
  }
  for (const [index, entry] of recipients.entries()) {
    if (typeof entry.enc !== 'string') continue;
    let armored: Uint8Array;
    try {
      armored = armor.decode(entry.enc);
    } catch {
      throw new SopsIssue(
        ['sops', 'age', index, 'enc'],
        `the encrypted data key for ${String(entry.recipient)} is not an armored age file`,
        'restore the file from git, or encrypt it again with sops',
      );
    }
    try {
      const key = await decrypter.decrypt(armored);
      if (key.length !== 32)
        throw new SopsIssue(
          ['sops', 'age', index, 'enc'],
          `the data key for ${String(entry.recipient)} is ${key.length} bytes, not 32`,
          'encrypt the file again with sops',
        );
      return key;
    } catch (error) {
      if (error instanceof SopsIssue) throw error;
      // Not one of our keys: try the next recipient.
    }
  }
  const from = [...new Set(keys.identities.map((identity) => identity.from))].join(', ');
  throw new SopsIssue(
    ['sops', 'age'],
    `none of the age keys (from ${from}) is for a recipient of ${file}${issues.length > 0 ? `; ${issues.join('; ')}` : ''}`,
    hint,
  );
}

/**
 * Which leaves are encrypted, by their map keys (sops.go shouldBeEncrypted): all, unless unencrypted_suffix,
 * encrypted_suffix, unencrypted_regex or encrypted_regex says otherwise for some key on the path.
 */
function encryptionRules(metadata: Record<string, unknown>): (keys: readonly string[]) => boolean {
  const text = (name: string) =>
    typeof metadata[name] === 'string' && metadata[name] !== '' ? (metadata[name] as string) : undefined;
  const regex = (name: string) => {
    const source = text(name);
    if (source === undefined) return undefined;
    try {
      return new RegExp(source);
    } catch {
      throw new SopsIssue(
        ['sops', name],
        `${name} ${JSON.stringify(source)} is a Go regular expression boutique cannot read`,
        `write it without Go-only syntax such as (?i), or encrypt the file without ${name}`,
      );
    }
  };
  const unencryptedSuffix = text('unencrypted_suffix');
  const encryptedSuffix = text('encrypted_suffix');
  const unencryptedRegex = regex('unencrypted_regex');
  const encryptedRegex = regex('encrypted_regex');
  return (keys) => {
    let encrypted = true;
    if (unencryptedSuffix !== undefined && keys.some((key) => key.endsWith(unencryptedSuffix))) encrypted = false;
    if (encryptedSuffix !== undefined) encrypted = keys.some((key) => key.endsWith(encryptedSuffix));
    if (unencryptedRegex && keys.some((key) => unencryptedRegex.test(key))) encrypted = false;
    if (encryptedRegex) encrypted = keys.some((key) => encryptedRegex.test(key));
    return encrypted;
  };
}

/** One `ENC[AES256_GCM,…]` value, decrypted and typed as sops does (aes/cipher.go Decrypt); `""` stays `""`. */
function decryptLeaf(
  text: string,
  dataKey: Uint8Array,
  aad: string,
  at: PathSegment[],
  what = describePath(at),
): unknown {
  if (text === '') return '';
  const parts = ENCRYPTED.exec(text);
  if (!parts)
    throw new SopsIssue(
      at,
      `${what} is not in sops's encrypted format (ENC[AES256_GCM,data:…,iv:…,tag:…,type:…])`,
      'restore the value sops wrote (git), or encrypt the file again with sops',
    );
  const [, data, iv, tag, type] = parts as unknown as [string, string, string, string, string];
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch {
    throw new SopsIssue(
      at,
      `${what} does not decrypt: it was changed, or moved from another key or file`,
      'restore the file from git, or edit it with sops (sops edit)',
    );
  }
  const textValue = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
    case 'time':
      return textValue;
    case 'int':
    case 'float': {
      const number = Number(textValue);
      if (textValue.trim() === '' || Number.isNaN(number))
        throw new SopsIssue(
          at,
          `${what} decrypts to something that is not ${type === 'int' ? 'an integer' : 'a number'}`,
          'encrypt the file again with sops',
        );
      return number;
    }
    case 'bool':
      if (/^(1|t|T|TRUE|true|True)$/.test(textValue)) return true;
      if (/^(0|f|F|FALSE|false|False)$/.test(textValue)) return false;
      throw new SopsIssue(
        at,
        `${what} decrypts to something that is not a boolean`,
        'encrypt the file again with sops',
      );
    default:
      throw new SopsIssue(
        at,
        `${what} has the unknown sops type ${JSON.stringify(type)}`,
        'encrypt the file again with a released sops',
      );
  }
}

/** A leaf's bytes in the MAC (sops.go ToBytes): text as is, numbers in decimal, booleans as True and False. */
function macBytes(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? BigInt(value).toString() : String(value);
  return String(value);
}

/** An unencrypted leaf as sops reads it, with YAML 1.2 (yaml.v3): a plain `yes` or `on` is the text written. */
function yaml12Value(node: Scalar): unknown {
  return typeof node.value === 'boolean' &&
    node.source !== undefined &&
    !/^(true|True|TRUE|false|False|FALSE)$/.test(node.source)
    ? node.source
    : node.value;
}

/** A map key as sops reads it: the text written, whatever YAML 1.1 would make of it (`yes`, `1`). */
function keyText(key: Scalar): string {
  return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
}

/** Lastmodified as sops formats it for the MAC's additional data (time.RFC3339: seconds, `Z` for UTC). */
function rfc3339(value: unknown): string {
  return String(value ?? '')
    .replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '')
    .replace(/[+-]00:00$/, 'Z');
}

/** A leaf's place as a helm --set path (`db.password`, `users[0].token`, `annotations.a\.b`). */
function setPath(at: readonly PathSegment[]): string {
  return at
    .map((step, index) =>
      typeof step === 'number' ? `[${step}]` : `${index > 0 ? '.' : ''}${step.replace(/[\\.[\],=]/g, '\\$&')}`,
    )
    .join('');
}

const describePath = (at: readonly PathSegment[]) => `the value at ${setPath(at) || 'the top'}`;
