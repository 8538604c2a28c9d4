import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/**
 * The site onto disk. Files whose content is unchanged are not rewritten; files of ours that the
 * page no longer has (an incident that became a security incident, one that left the period)
 * are removed from the folders the site owns. Anything else in the folder is left alone.
 */
const OWNED = ["incidents", "maintenance", join("api", "v2")];

export interface WriteResult {
  written: string[];
  unchanged: number;
  removed: string[];
}

export function writeSite(dir: string, files: Map<string, string>): WriteResult {
  const result: WriteResult = { written: [], unchanged: 0, removed: [] };
  for (const [path, content] of files) {
    const file = join(dir, path);
    if (existsSync(file) && readFileSync(file, "utf8") === content) {
      result.unchanged++;
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    result.written.push(path);
  }
  const keep = new Set([...files.keys()].map((p) => p.split("/").join(sep)));
  for (const owned of OWNED) {
    for (const file of listFiles(join(dir, owned))) {
      const path = relative(dir, file);
      if (keep.has(path) || !/\.(html|json)$/.test(path)) continue;
      rmSync(file);
      result.removed.push(path.split(sep).join("/"));
    }
  }
  return result;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : entry.isFile() ? [path] : [];
  });
}
