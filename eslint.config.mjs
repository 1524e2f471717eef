// Lint rules shared by every package: typescript-eslint's strict type-checked set, plus the
// layering rules that keep frameworks and drivers in the one package whose job they are.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworks = ['@nestjs/*', 'typeorm', 'better-sqlite3', 'pg', 'pg-*', 'class-validator', 'class-transformer', 'fastify', 'jose'];
const drivers = ['typeorm', 'better-sqlite3', 'pg', 'pg-*'];
const webFrameworks = ['@nestjs/*', '@fastify/*', 'fastify', 'jose', 'class-validator', 'class-transformer', 'pino'];

// Code that only runs under test: spec files beside the code, the app's e2e tests and their
// support, the `testing` entries (fakes, builders, contract suites) and the benchmarks.
const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/src/testing/**/*.ts', '**/test/**/*.ts', 'tools/bench/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // Counts, sizes and milliseconds belong in messages; objects, booleans and undefined still do
      // not. (Every option is spelled out: a partial object would fall back to the rule's lax defaults.)
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowNumber: true, allowRegExp: false },
      ],
      // Nest modules are classes that exist only to carry their decorator.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Callbacks such as `() => resolve()` or `(e) => finish(e)` read as what they do; braces
      // would add lines, not clarity. A `return` of a void call in a block is still refused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // Tests read JSON bodies (supertest's `body` is `any`) and the fixtures they built
    // themselves: typing every body would add casts, not safety, and a missing value fails the
    // test on the spot. Production code gets none of these relaxations.
    files: testFiles,
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Sums of counts read from those bodies are `any + any`, and a failure message should show
      // what came back, `undefined` and `null` included.
      '@typescript-eslint/restrict-plus-operands': [
        'error',
        { allowAny: true, allowBoolean: false, allowNullish: false, allowNumberAndString: false, allowRegExp: false },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowAny: true, allowBoolean: true, allowNever: false, allowNullish: true, allowNumber: true, allowRegExp: false },
      ],
      // Fakes implement async ports with synchronous bodies; `async` keeps their throws
      // rejections, as the real adapters' are.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // TypeORM declares EntitySchemaOptions as a class but documents (and only reads) a plain
    // object: these files are nothing but such literals.
    files: ['packages/persistence-typeorm/src/schemas/*.schema.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
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
  {
    files: ['packages/persistence-typeorm/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: webFrameworks, message: 'persistence knows no web framework' },
            {
              group: ['@container-service/container-api', '@container-service/container-api/*', '**/apps/**'],
              message: 'persistence imports nothing from the apps',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: drivers, message: 'only the persistence package talks to a database driver' }] }],
    },
  },
  {
    // Tests that damage a SQLite file on purpose open it with the driver.
    files: ['apps/*/test/**/*.ts', 'apps/*/src/**/*.spec.ts', 'apps/*/src/**/*.int-spec.ts', 'apps/*/src/**/*.e2e-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['typeorm', 'pg', 'pg-*'], message: 'only the persistence package talks to a database driver' }] },
      ],
    },
  },
);
