import type { ProblemChecks, ProblemFacts, ProblemView } from "../incident/types.js";
import { encodeJson, readJsonMarker, writeMarker } from "../markers.js";

/** JSON for a marker that carries people's text: not even a hidden `@name` (escaped, it reads back the same). */
export const quietJson = (value: unknown): string => encodeJson(value).replace(/@/g, "\\u0040");

/**
 * What an incident's card keeps about its problem (marker `problem-facts`, believed only in the
 * app's own card): what its `/problem` commands named, the problem as the card shows it, and the
 * link record on the problem with the digest of the summary it carries.
 */

export function readProblemFacts(card: string | undefined): ProblemFacts {
  const value = readJsonMarker(card, "problem-facts") as Partial<ProblemFacts> | undefined;
  const checks: ProblemChecks = {};
  if (value && typeof value.checks === "object" && value.checks !== null) {
    for (const [key, result] of Object.entries(value.checks)) {
      if ((typeof result === "number" && Number.isInteger(result) && result > 0) || typeof result === "string") checks[key] = result;
    }
  }
  const v = value?.view;
  const view: ProblemView | undefined =
    v &&
    Number.isInteger(v.number) &&
    typeof v.title === "string" &&
    typeof v.url === "string" &&
    ["investigating", "known error", "resolved"].includes(v.status)
      ? { number: v.number, title: v.title, url: v.url, status: v.status, ...(typeof v.workaround === "string" ? { workaround: v.workaround } : {}) }
      : undefined;
  const r = value?.record;
  const record =
    r && Number.isInteger(r.problem) && Number.isInteger(r.comment) && typeof r.digest === "string"
      ? { problem: r.problem, comment: r.comment, digest: r.digest }
      : undefined;
  return { checks, ...(view ? { view } : {}), ...(record ? { record } : {}) };
}

export function renderProblemFacts(facts: ProblemFacts | undefined): string {
  if (!facts || (Object.keys(facts.checks).length === 0 && !facts.record)) return "";
  return writeMarker("problem-facts", quietJson(facts));
}
