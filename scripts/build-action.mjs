// Bundle the Action (src/action.ts) into dist/index.js: one ESM file for Node 20+, committed, so
// the Action runs from a checkout with no install. Templates stay in templates/: the bundle finds
// them at ../templates/ from its own URL, the same path src/templates.ts uses from src/.
//
//   node scripts/build-action.mjs                  writes dist/index.js
//   node scripts/build-action.mjs --outfile <f>    writes elsewhere (the freshness test)
//   node scripts/build-action.mjs --metafile <f>   also writes esbuild's metafile (bundle analysis)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = fileURLToPath(new URL("..", import.meta.url));

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/action.ts"],
  outfile: option("--outfile") ?? "dist/index.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  legalComments: "none",
  metafile: option("--metafile") !== undefined,
  logLevel: "warning",
  // Some dependencies are CommonJS and `require()` Node's built-ins; give the ESM bundle a require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
if (option("--metafile")) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(option("--metafile"), JSON.stringify(result.metafile));
}
