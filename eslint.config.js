import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use the seeded PRNG (shared/src/prng.ts) or pass randomness in.' },
      ],
    },
  },
  {
    // The game core must be a pure function of scenario, seed and log.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'shared/ is deterministic: use the seeded PRNG.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'shared/ is deterministic: time enters as event fields.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'shared/ is deterministic: time enters as event fields.' },
      ],
    },
  },
);
