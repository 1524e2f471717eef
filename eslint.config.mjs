// Lint rules shared by every package: the recommended TypeScript set, plus the layering rule
// that keeps frameworks and drivers out of the domain packages.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworks = ['@nestjs/*', 'typeorm', 'better-sqlite3', 'pg', 'class-validator', 'class-transformer', 'fastify', 'jose'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['packages/*-domain/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: frameworks.map((group) => ({ group: [group], message: 'domain packages stay framework-free' })) }],
    },
  },
  {
    files: ['packages/batch-domain/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@container-service/*', ...frameworks], message: 'batch-domain depends on nothing' }] }],
    },
  },
);
