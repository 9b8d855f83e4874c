// typescript-eslint with type-checked rules over the whole tree; prettier owns the layout.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'docs/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // numbers in messages are what a reader wants; objects and undefined still need show()
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `return reply(res, 404)` in a handler reads as "answer and stop"; that is not confusion
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // `const { dropped: _dropped, ...rest } = x` names what it leaves out
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
      // the clone's CloneFault and the one walk's NotFast are plain classes on purpose (no stack
      // captured per bad value or bail-out), caught inside; a caught value rethrown is whatever it was
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: ['CloneFault', 'NotFast', 'Unusual'] }], allowThrowingUnknown: true },
      ],
    },
  },
  {
    // Public functions check at run time what their types already say: JavaScript callers,
    // parsed YAML and `as any` do not obey the types, and a wrong value must become a HookError,
    // not a TypeError further in. This rule reads each of those checks as dead code.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
    },
  },
  {
    // Tests read the JSON they built themselves through `Record<string, any>` and index it with `!`:
    // a type for every fixture would be longer than the assertion it serves. The library code
    // keeps every rule.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `afterAll(() => pki?.cleanup())` guards a beforeAll that failed; the types cannot know
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `req.socket as TLSSocket` on an https server's request
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    // The bench indexes the sample arrays it has just filled.
    files: ['bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
)
