// GitHub's page-based pagination with Link headers (rel next/last/first/prev).
import { HttpError, type Ctx } from "./http.js";

export function pageParams(ctx: Ctx): { perPage: number; page: number } {
  const rawPer = ctx.query.get("per_page");
  const rawPage = ctx.query.get("page");
  let perPage = rawPer === null ? 30 : Number(rawPer);
  let page = rawPage === null ? 1 : Number(rawPage);
  if (!Number.isFinite(perPage) || !Number.isFinite(page)) throw new HttpError(422, "Invalid pagination parameters");
  perPage = Math.min(Math.max(Math.trunc(perPage), 1), 100);
  page = Math.max(Math.trunc(page), 1);
  return { perPage, page };
}

/** Returns the page slice and sets the Link header the way api.github.com writes it. */
export function paginate<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
  const { perPage, page } = pageParams(ctx);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = linkHeader(ctx, page, last);
  return { items: slice, headers: link ? { link } : {} };
}

export function linkHeader(ctx: Ctx, page: number, last: number): string | undefined {
  if (last <= 1 && page <= 1) return undefined;
  const make = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set("page", String(p));
    // GitHub keeps the caller's parameters and puts page last
    const entries = [...q.entries()].filter(([k]) => k !== "page");
    const qs = [...entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`), `page=${p}`].join("&");
    return `<${ctx.origin}${ctx.path}?${qs}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(make(page - 1, "prev"));
  if (page < last) parts.push(make(page + 1, "next"));
  if (page < last) parts.push(make(last, "last"));
  if (page > 1) parts.push(make(1, "first"));
  return parts.join(", ");
}
