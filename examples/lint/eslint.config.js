// typescript-eslint's type-aware no-floating-promises: a Promise that is neither awaited,
// returned, nor handled is an error. It needs TypeScript's compiler API, which TypeScript 7
// does not have: typescript@6 is installed beside it for this (see package.json).
import tseslint from "typescript-eslint"

export default tseslint.config({
  files: ["src/**/*.ts"],
  extends: [tseslint.configs.base],
  languageOptions: {
    parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
  },
  rules: {
    "@typescript-eslint/no-floating-promises": "error"
  }
})
