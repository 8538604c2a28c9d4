/**
 * The app's hidden markers: one writer, one reader, one escaping rule.
 *
 * A marker is an HTML comment, `<!-- incident-desk:<kind> <payload> -->` (a few older kinds put a
 * colon between kind and payload, `<!-- incident-desk:reply:123 -->`, and keep it so that what was
 * written before still counts). A payload is our own text: ids, keys, or JSON whose `<`, `>`, `-`
 * and `&` are written as `\u` escapes, so no payload can end the comment early.
 *
 * Reading a marker says nothing about who wrote it. Whether to believe one is decided by where it
 * was found: only in a body or comment this app's own account wrote (the `own` flags of
 * src/incident/history.ts, src/trust.ts). People's text that the app shows again is neutralised
 * (src/text/neutralise.ts), so it can never form a marker inside one of our own comments either.
 */

export type MarkerKind =
  | "card"
  | "reply"
  | "declare"
  | "changes"
  | "notified"
  | "verdicts"
  | "escalation"
  | "update-reminder"
  | "alert"
  | "alert-group"
  | "deployment"
  | "problem"
  | "problem-record"
  | "problem-link"
  | "problem-card"
  | "problem-facts"
  | "postmortem"
  | "postmortem-link"
  | "cause"
  | "dispatch"
  | "followups-done"
  | "security-move"
  | "config-error"
  | "gate";

const PREFIX = "<!-- incident-desk:";
const SUFFIX = " -->";
/** Kinds written as `kind:payload` since the first release. */
const COLON: ReadonlySet<MarkerKind> = new Set(["reply", "escalation", "update-reminder"]);

/** What would end the comment early, open another, or break the line. */
const UNSAFE_PAYLOAD = /--|[<>\r\n]/;

/** JSON for a payload: nothing in it can close the comment or open another. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&-]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The marker of `kind`; a payload object is written as JSON. */
export function writeMarker(kind: MarkerKind, payload?: string | number | object): string {
  if (payload === undefined) return `${PREFIX}${kind}${SUFFIX}`;
  const text = typeof payload === "object" ? encodeJson(payload) : String(payload);
  if (UNSAFE_PAYLOAD.test(text) || text.endsWith("-")) throw new Error(`a ${kind} marker cannot carry ${JSON.stringify(text.slice(0, 40))}`);
  return `${PREFIX}${kind}${COLON.has(kind) ? ":" : " "}${text}${SUFFIX}`;
}

/**
 * Every payload of `kind` in `body`, in order ("" for a marker without one). One pass, no
 * backtracking: an HTML comment ends at the first `-->`, so the search goes on after it (going on
 * right after the head instead searched to the same `-->` again from every head before it, 20 s
 * on 1 MB of heads with one `-->` at the end).
 */
export function readMarkers(body: string | null | undefined, kind: MarkerKind): string[] {
  const out: string[] = [];
  if (!body) return out;
  const head = `${PREFIX}${kind}`;
  let at = body.indexOf(head);
  while (at !== -1) {
    const next = at + head.length;
    const end = body.indexOf("-->", next);
    if (end === -1) break;
    at = body.indexOf(head, end + 3);
    const rest = body.slice(next, end);
    if (rest.trim() === "") out.push("");
    else if (rest[0] === " " || (rest[0] === ":" && COLON.has(kind))) out.push(rest.slice(1).trim());
  }
  return out;
}

/** The first payload of `kind` in `body`. */
export function readMarker(body: string | null | undefined, kind: MarkerKind): string | undefined {
  return readMarkers(body, kind)[0];
}

/** The first payload of `kind` read as JSON; a damaged one is none. */
export function readJsonMarker(body: string | null | undefined, kind: MarkerKind): unknown {
  const payload = readMarker(body, kind);
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}

export function hasMarker(body: string | null | undefined, kind: MarkerKind, payload?: string | number): boolean {
  const found = readMarkers(body, kind);
  return payload === undefined ? found.length > 0 : found.includes(String(payload));
}
