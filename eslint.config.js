// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.barfill/**', 'eslint.config.js', 'vitest.config.ts', 'scripts/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['src/kernel/**/*.ts', 'src/application/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'process', 'stream', 'http', 'https', 'child_process'], message: 'The kernel and application layers may not use Node APIs.' },
        { group: ['**/adapters/**', '**/apps/**', '@clickhouse/*', 'pg', 'pg-*', 'chdb', '@duckdb/*', '@electric-sql/*'], message: 'Inner layers may not depend on adapters or drivers.' },
      ] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'Use cases never touch process.' }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'test-support/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
