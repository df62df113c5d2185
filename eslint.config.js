// ESLint runs only what Biome cannot: the type-aware promise rules of typescript-eslint, and the ban on
// clocks, timers and randomness in the deterministic cores. Formatting and every other lint rule are Biome's
// (biome.json). `npm run lint` runs both.
import tseslint from 'typescript-eslint';

/** The deterministic cores (DESIGN §2): driven from outside, so they never read a clock, start a timer or draw randomness. */
const pureCores = ['packages/raft-ts/src/core/**/*.ts', 'packages/gossip/src/core/**/*.ts', 'packages/state/src/**/*.ts'];
const impure = 'the pure cores take time and randomness from their driver (tick(), an injected PRNG)';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/src/gen/**', '**/test/artifacts/**', '**/.tmp/**'],
  },
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'packages/ui/app/**/*.{ts,tsx}', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: pureCores,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'performance'].map((name) => ({ name, message: impure })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: impure },
        { object: 'Date', property: 'now', message: impure },
        { object: 'process', property: 'hrtime', message: impure },
        ...['setTimeout', 'setInterval', 'setImmediate'].map((property) => ({ object: 'globalThis', property, message: impure })),
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: impure }],
    },
  },
);
