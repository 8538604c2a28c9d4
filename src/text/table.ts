import type MarkdownIt from "markdown-it";
import type { RuleBlock } from "markdown-it/lib/parser_block.mjs";
import type StateBlock from "markdown-it/lib/rules_block/state_block.mjs";
import gfmTable from "markdown-it/lib/rules_block/table.mjs";

/**
 * GFM tables as the text layer reads them: markdown-it's own rule decides what is a table (its
 * header and delimiter rows), and the same rows end it; only the cells people wrote become tokens.
 *
 * Why not markdown-it's rule alone: it fills every short row up to the header's width with empty
 * cells, for rendering. A header of 200 columns followed by rows of one character costs 2 characters
 * a row and yields 200 cells; markdown-it caps that at 65,536 cells a table, but not per document:
 * 45 such tables fit in one 64 KB comment and made 2.9 million cells, 5 s of parsing (7.5 s for
 * 256 columns). Nothing reads empty cells here, so none are made: the tokens stay proportional to
 * the text.
 */
export function readTablesWithoutFilling(md: MarkdownIt): void {
  md.block.ruler.at("table", table, { alt: ["paragraph", "reference"] });
}

/** As markdown-it's: whatever it allows to stop the table's rows early, it takes as its own limit. */
const MAX_AUTOCOMPLETED_CELLS = 0x10000;

const table: RuleBlock = (state, startLine, endLine, silent) => {
  // Whether a table starts here is markdown-it's decision, unchanged.
  if (!gfmTable(state, startLine, endLine, true)) return false;
  if (silent) return true;

  const columnCount = cells(lineAt(state, startLine)).length;
  const oldParentType = state.parentType;
  // markdown-it's rule sets it too; its type does not list "table".
  state.parentType = "table" as unknown as typeof state.parentType;
  const terminatorRules = state.md.block.ruler.getRules("blockquote");
  const open = state.push("table_open", "table", 1);
  open.map = [startLine, 0];
  pushRow(state, cells(lineAt(state, startLine)), columnCount, startLine);

  // The rows, ended where markdown-it ends them (table.mjs, markdown-it 14).
  let autocompleted = 0;
  let nextLine = startLine + 2;
  for (; nextLine < endLine; nextLine++) {
    if (state.sCount[nextLine]! < state.blkIndent) break;
    if (terminatorRules.some((rule) => rule(state, nextLine, endLine, true))) break;
    const line = lineAt(state, nextLine);
    if (!line) break;
    if (state.sCount[nextLine]! - state.blkIndent >= 4) break;
    const columns = cells(line);
    autocompleted += columnCount - columns.length;
    if (autocompleted > MAX_AUTOCOMPLETED_CELLS) break;
    pushRow(state, columns, columnCount, nextLine);
  }
  state.push("table_close", "table", -1);
  open.map[1] = nextLine;
  state.parentType = oldParentType;
  state.line = nextLine;
  return true;
};

/** The cells a reader sees: those within the header's width (GitHub drops the rest). */
function pushRow(state: StateBlock, columns: string[], columnCount: number, line: number): void {
  for (const content of columns.slice(0, columnCount)) {
    const inline = state.push("inline", "", 0);
    inline.content = content.trim();
    inline.map = [line, line + 1];
    inline.children = [];
  }
}

function lineAt(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]).trim();
}

/** A row's cells: split at `|` not escaped by `\` (`\|` is a pipe inside a cell), outer pipes dropped. */
function cells(row: string): string[] {
  const out: string[] = [];
  let current = "";
  let from = 0;
  for (let i = 0; i < row.length; i++) {
    if (row.charCodeAt(i) !== 0x7c) continue;
    if (i > 0 && row.charCodeAt(i - 1) === 0x5c) {
      current += row.slice(from, i - 1);
      from = i;
    } else {
      out.push(current + row.slice(from, i));
      current = "";
      from = i + 1;
    }
  }
  out.push(current + row.slice(from));
  if (out.length > 0 && out[0] === "") out.shift();
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}
