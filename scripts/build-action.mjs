// Bundle the Action (src/action.ts) into dist/: one ESM file, committed, so the Action runs from a
// checkout with no install. Templates stay in templates/: the bundle finds them at ../templates/
// from its own URL, the same path src/templates.ts uses from src/.
//
// The bundle is meant to be read and audited (as actions/typescript-action's is): not minified,
// with a source map back to src/ and node_modules/, and dist/licenses.txt naming every bundled
// package with its licence text.
//
//   node scripts/build-action.mjs                  writes dist/index.js, index.js.map, licenses.txt
//   node scripts/build-action.mjs --outdir <d>     writes the same three files into <d> (the freshness test)
//   node scripts/build-action.mjs --metafile <f>   also writes esbuild's metafile (bundle analysis)
import { build } from "esbuild";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = option("--outdir") ?? join(root, "dist");

// Built in memory as dist/index.js whatever --outdir says, so the source map's relative paths (and
// hence the bytes) are the same wherever the files are written.
const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/action.ts"],
  outfile: "dist/index.js",
  write: false,
  bundle: true,
  platform: "node",
  format: "esm",
  // action.yml runs the bundle on node24; the target stays node20 because package.json's engines
  // promise Node 20.18+ and the tests run `node dist/index.js` on the Node they run on.
  target: "node20",
  minify: false,
  sourcemap: "linked",
  // Licence comments go to dist/licenses.txt, complete, rather than scattered through the bundle.
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // Some dependencies are CommonJS and `require()` Node's built-ins; give the ESM bundle a require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

mkdirSync(outdir, { recursive: true });
for (const file of result.outputFiles) writeFileSync(join(outdir, basename(file.path)), file.contents);
writeFileSync(join(outdir, "licenses.txt"), licenses(result.metafile));
if (option("--metafile")) writeFileSync(option("--metafile"), JSON.stringify(result.metafile));

/** The packages whose files went into the bundle (from the metafile's inputs), each with its licence. */
function licenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    // The innermost node_modules/<name> or node_modules/@scope/<name> holds the file.
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll("\\", "/"));
    if (m) dirs.add(m[1]);
  }
  const entries = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const licenceFile = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)([.-]|$)/i.test(f));
    const text = licenceFile !== undefined ? readFileSync(join(root, dir, licenceFile), "utf8").trim() : "(no licence file in the package)";
    const license = typeof pkg.license === "string" ? pkg.license : (pkg.license?.type ?? "(no licence declared)");
    return { name: pkg.name, version: pkg.version, license, text };
  });
  // One entry per name and version (a package may be installed at several paths).
  const unique = new Map(entries.map((e) => [`${e.name}@${e.version}`, e]));
  const sorted = [...unique.values()].sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1));
  return sorted.map((e) => `${e.name}@${e.version}\n${e.license}\n${e.text}\n`).join("\n");
}
