import { createHash } from "node:crypto";
import { readMarker, writeMarker } from "../markers.js";

/**
 * A change's verdict (applied, or refused for want of `commands.permission`) is decided when the
 * app first sees it and kept, so a later change of someone's permission never rewrites history: a
 * responder who loses write access keeps their past `/resolve`, an old refused command does not
 * apply once its author is promoted.
 *
 * The verdicts live in the card, in a hidden marker only this app's own card is believed for:
 * `a:` the keys applied, `r:` the keys refused. Keys: `c<comment id>`, `b` (the issue body),
 * `e<timeline event id>` (a person's label change, close or reopen). Should the record be lost
 * (the card deleted by hand), each change is judged again with its author's permission of now,
 * and the new card records that; the newest entries are kept when there are very many.
 */
export type Verdicts = Map<string, boolean>;

export const BODY_KEY = "b";
export const commentKey = (commentId: number): string => `c${commentId}`;

/** The key of a person's label change, close or reopen: its timeline id (or, without one, its content). */
export function eventKey(e: { id?: number; type: string; at: string; actor: { login: string }; label?: string }): string {
  if (e.id !== undefined) return `e${e.id}`;
  return `x${createHash("sha256").update(`${e.type}\n${e.at}\n${e.actor.login}\n${e.label ?? ""}`).digest("hex").slice(0, 12)}`;
}

/** At most this many verdicts are kept (about 12 characters each, well within a card). */
export const MAX_VERDICTS = 1_500;

export function readVerdicts(card: string | undefined): Verdicts {
  const verdicts: Verdicts = new Map();
  const payload = readMarker(card, "verdicts");
  if (!payload) return verdicts;
  for (const part of payload.split(" ")) {
    const [kind, list] = [part.slice(0, 2), part.slice(2)];
    if (kind !== "a:" && kind !== "r:") continue;
    for (const key of list.split(",")) if (/^(?:[cex][0-9a-z]{1,20}|b)$/.test(key)) verdicts.set(key, kind === "a:");
  }
  return verdicts;
}

export function renderVerdicts(verdicts: Verdicts): string {
  if (verdicts.size === 0) return "";
  const entries = [...verdicts].slice(-MAX_VERDICTS);
  const applied = entries.filter(([, ok]) => ok).map(([key]) => key);
  const refused = entries.filter(([, ok]) => !ok).map(([key]) => key);
  return writeMarker("verdicts", [`a:${applied.join(",")}`, `r:${refused.join(",")}`].join(" "));
}
