// ESLint + typescript-eslint: the linter the Effect packages use, with type-aware rules where they pay.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", ".koji/**", "etc/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-floating-promises": "error",
      "require-yield": "off",
      "no-restricted-imports": ["error", {
        patterns: [{ group: ["effect/*", "!effect/unstable"], message: "import from the \"effect\" barrel (one style in this package)" }]
      }]
    }
  },
  {
    files: ["src/**/*.ts"],
    rules: { "no-console": "error" }
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked
  }
)
