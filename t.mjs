import { fromMarkdown } from "mdast-util-from-markdown";
for (const n of [8192, 16384, 32768, 65536]) for (const [name,u] of [["a\\n","a\n"],["> ","> "],["fences","```\n"],["`a","`a"]]) {
  const s = u.repeat(Math.ceil(n/u.length)).slice(0,n);
  fromMarkdown(s);
  const t0 = performance.now(); fromMarkdown(s); console.log(n, name, (performance.now()-t0).toFixed(1));
}
