// Lint: typescript-eslint's type-checked rules, above all the promise rules (a floating promise in
// a webhook handler is a lost write or an unhandled rejection). Formatting is prettier's
// (`npm run lint` runs `prettier --check`), so no stylistic rules here.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "lib/", "coverage/", "node_modules/", "demo-output/", "test-output/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "*.mjs", "*.ts", "scripts/*.mjs"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // `_name` is how this code says "deliberately unused" (rest siblings, positional arguments).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // Style, not correctness, and hundreds of findings in code the type checker already passes:
      // async functions without await (they implement async interfaces), `String(x ?? "")` over
      // `unknown` (deliberate: hostile input is coerced).
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    // Tests, the simulator, benchmarks and scripts read JSON from GitHub's examples and the
    // simulator's records as `any`; the promise rules still apply to them.
    files: ["test/**", "bench/**", "scripts/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-this-alias": "off",
    },
  },
  {
    // Plain JavaScript run by Node: its globals (TypeScript checks the .ts files' names itself).
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", URL: "readonly", console: "readonly" } },
  },
);
