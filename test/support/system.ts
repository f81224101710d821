import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** A private copy of the shipped Online Boutique (releases.yaml, charts, values) that a test may edit. */
export function copyShippedSystem(): { dir: string; edit(file: string, change: (text: string) => string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-system-'));
  for (const entry of ['releases.yaml', 'charts', 'values'])
    cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  return {
    dir,
    edit(file, change) {
      const path = join(dir, file);
      const before = readFileSync(path, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${file} changed nothing`);
      writeFileSync(path, after);
    },
  };
}

/** The shipped system's releases in declaration order, and its needs graph as read off the services' *_ADDR variables. */
export const shippedReleaseNames = [
  'redis-cart',
  'adservice',
  'currencyservice',
  'emailservice',
  'paymentservice',
  'productcatalogservice',
  'shippingservice',
  'cartservice',
  'recommendationservice',
  'checkoutservice',
  'frontend',
  'loadgenerator',
];
export const shippedNeeds: Record<string, string[]> = {
  cartservice: ['redis-cart'],
  recommendationservice: ['productcatalogservice'],
  checkoutservice: [
    'productcatalogservice',
    'shippingservice',
    'paymentservice',
    'emailservice',
    'currencyservice',
    'cartservice',
  ],
  frontend: [
    'productcatalogservice',
    'currencyservice',
    'cartservice',
    'recommendationservice',
    'shippingservice',
    'checkoutservice',
    'adservice',
  ],
  loadgenerator: ['frontend'],
};
