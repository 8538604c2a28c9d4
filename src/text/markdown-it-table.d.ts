// markdown-it exports its rule modules (package.json "exports": "./*"); @types/markdown-it has no
// declaration for the table rule, which src/text/table.ts calls to decide where a table starts.
declare module "markdown-it/lib/rules_block/table.mjs" {
  import type { RuleBlock } from "markdown-it/lib/parser_block.mjs";
  const table: RuleBlock;
  export default table;
}
