// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/charts/', 'test/control-plane/', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Tests match aligned columns of tables; `/ {2}/` reads worse than the two spaces it means.
      'no-regex-spaces': 'off',
      // boutique reads YAML and terminal output: control characters in those patterns are the point.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `let { a, b } = …` where only one is reassigned reads better than two declarations.
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  {
    // Tests reach into parsed fixtures (objects as stored, JSON reports): `any` keeps that surgery short.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A CLI that drives processes and a cluster: a promise nobody awaits is a write nobody waits for.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
