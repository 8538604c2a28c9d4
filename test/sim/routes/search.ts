// GET /search/issues with the qualifiers incident-desk uses.
import { HttpError } from "../http.js";
import { paginate } from "../pagination.js";
import { fullName, type IssueRec } from "../model.js";
import { issueJson } from "../serialize.js";
import type { State } from "../state.js";
import { type Routes, ok } from "./common.js";

interface Query {
  filters: ((i: IssueRec) => boolean)[];
  terms: string[];
  inFields: Set<string>;
}

function tokenize(q: string): string[] {
  const out: string[] = [];
  const re = /(-?[\w.-]+:)?"([^"]*)"|(\S+)/g;
  for (const m of q.matchAll(re)) out.push(m[3] ?? `${m[1] ?? ""}${m[2]}`);
  return out;
}

function dateFilter(expr: string, get: (i: IssueRec) => string | null): (i: IssueRec) => boolean {
  const range = /^(.+)\.\.(.+)$/.exec(expr);
  if (range) {
    const a = range[1] === "*" ? -Infinity : Date.parse(range[1]!);
    const b = range[2] === "*" ? Infinity : Date.parse(range[2]!.length === 10 ? `${range[2]}T23:59:59Z` : range[2]!);
    return (i) => {
      const v = get(i);
      return v !== null && Date.parse(v) >= a && Date.parse(v) <= b;
    };
  }
  const m = /^(>=|<=|>|<)?(.+)$/.exec(expr)!;
  const op = m[1] ?? "=";
  const raw = m[2]!;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new HttpError(422, `Validation Failed: invalid date ${raw}`);
  const dayOnly = raw.length === 10;
  return (i) => {
    const s = get(i);
    if (s === null) return false;
    const v = Date.parse(s);
    switch (op) {
      case ">=": return v >= t;
      case ">": return dayOnly ? v >= t + 86_400_000 : v > t;
      case "<=": return dayOnly ? v < t + 86_400_000 : v <= t;
      case "<": return v < t;
      default: return dayOnly ? v >= t && v < t + 86_400_000 : v === t;
    }
  };
}

export function parseSearch(state: State, q: string): Query {
  const query: Query = { filters: [], terms: [], inFields: new Set() };
  const repos: string[] = [];
  for (const tok of tokenize(q)) {
    const neg = tok.startsWith("-") && tok.includes(":");
    const t = neg ? tok.slice(1) : tok;
    const idx = t.indexOf(":");
    if (idx <= 0) {
      query.terms.push(t.toLowerCase());
      continue;
    }
    const key = t.slice(0, idx).toLowerCase();
    const value = t.slice(idx + 1);
    let f: ((i: IssueRec) => boolean) | undefined;
    switch (key) {
      case "repo":
        repos.push(value.toLowerCase());
        continue;
      case "org":
      case "user":
        f = (i) => i.repo.owner.login.toLowerCase() === value.toLowerCase();
        break;
      case "is":
      case "type":
      case "state":
        f = {
          pr: (i: IssueRec) => !!i.pr,
          "pull-request": (i: IssueRec) => !!i.pr,
          issue: (i: IssueRec) => !i.pr,
          open: (i: IssueRec) => i.state === "open",
          closed: (i: IssueRec) => i.state === "closed",
          merged: (i: IssueRec) => !!i.pr?.merged,
          unmerged: (i: IssueRec) => !!i.pr && !i.pr.merged && i.state === "closed",
          locked: (i: IssueRec) => i.locked,
          unlocked: (i: IssueRec) => !i.locked,
        }[value.toLowerCase()];
        if (!f) throw new HttpError(422, `Validation Failed: unsupported qualifier value ${t}`);
        break;
      case "label": {
        const names = value.split(",").map((s) => s.toLowerCase());
        f = (i) => i.labelIds.some((id) => names.includes(i.repo.labels.find((l) => l.id === id)?.name.toLowerCase() ?? ""));
        break;
      }
      case "no":
        if (value === "label") f = (i) => i.labelIds.length === 0;
        else if (value === "assignee") f = (i) => i.assignees.length === 0;
        else throw new HttpError(422, `Validation Failed: unsupported qualifier ${t}`);
        break;
      case "author":
        f = (i) => i.user.login.toLowerCase() === value.toLowerCase();
        break;
      case "assignee":
        f = (i) => i.assignees.some((a) => a.login.toLowerCase() === value.toLowerCase());
        break;
      case "created":
        f = dateFilter(value, (i) => i.created_at);
        break;
      case "updated":
        f = dateFilter(value, (i) => i.updated_at);
        break;
      case "closed":
        f = dateFilter(value, (i) => i.closed_at);
        break;
      case "merged":
        f = dateFilter(value, (i) => i.pr?.merged_at ?? null);
        break;
      case "in":
        for (const v of value.split(",")) query.inFields.add(v.toLowerCase());
        continue;
      case "base":
        f = (i) => i.pr?.base.ref === value;
        break;
      case "head":
        f = (i) => i.pr?.head.ref === value;
        break;
      default:
        throw new HttpError(422, `Validation Failed: the sim does not support the qualifier "${key}:"`);
    }
    query.filters.push(neg ? (i) => !f(i) : f);
  }
  if (repos.length) query.filters.push((i) => repos.includes(fullName(i.repo).toLowerCase()));
  void state;
  return query;
}

export const searchRoutes: Routes = {
  "search/issues-and-pull-requests": (ctx) => {
    const q = ctx.query.get("q") ?? "";
    const query = parseSearch(ctx.sim.state, q);
    const id = ctx.identity;
    let list = ctx.sim.state.allIssues().filter((i) => {
      if (i.repo.private) {
        if (id.kind === "installation") return ctx.sim.state.installationOf(i.repo)?.id === id.installationId;
        return ctx.sim.state.permission(i.repo, id.login) !== "none";
      }
      return true;
    });
    list = list.filter((i) => query.filters.every((f) => f(i)));
    if (query.terms.length) {
      const fields = query.inFields.size ? query.inFields : new Set(["title", "body"]);
      list = list.filter((i) => {
        const hay = [
          fields.has("title") ? i.title : "",
          fields.has("body") ? (i.body ?? "") : "",
          fields.has("comments") ? [...i.repo.comments.values()].filter((c) => c.issue === i).map((c) => c.body).join("\n") : "",
        ].join("\n").toLowerCase();
        return query.terms.every((t) => hay.includes(t));
      });
    }
    const sort = ctx.query.get("sort");
    const order = ctx.query.get("order") ?? "desc";
    const key = (i: IssueRec): number =>
      sort === "created" ? Date.parse(i.created_at) : sort === "updated" ? Date.parse(i.updated_at) : sort === "comments" ? [...i.repo.comments.values()].filter((c) => c.issue === i).length : Date.parse(i.created_at);
    list.sort((a, b) => (order === "asc" ? key(a) - key(b) || a.id - b.id : key(b) - key(a) || b.id - a.id));
    const total = list.length;
    const page = paginate(ctx, list.slice(0, 1000));
    return ok({ total_count: total, incomplete_results: false, search_type: "lexical", items: page.items.map((i) => issueJson(i, { score: true })) }, 200, page.headers);
  },
};
