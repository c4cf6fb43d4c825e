// Lint rules. Purity of the kOps semantics and the gossip core is enforced here (STYLE.md rule 1):
// they may not import node:*, the Kubernetes client, libp2p, or read clocks and randomness.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const impure = {
  patterns: [
    {
      group: ['node:*', 'fs', 'net', 'dgram', 'crypto', 'os', 'path'],
      message: 'pure module: no I/O imports',
    },
    {
      group: ['@kubernetes/*', 'libp2p', '@libp2p/*', '@chainsafe/*', 'dns2', 'prom-client'],
      message: 'pure module: no I/O libraries',
    },
  ],
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'charts/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'use as-const objects' }],
    },
  },
  {
    files: ['lib/records/**/*.ts', 'lib/gossip/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', impure],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'Buffer', 'fetch'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'take `now` as an argument' },
        { object: 'Math', property: 'random', message: 'take an Rng' },
      ],
    },
  },
)
