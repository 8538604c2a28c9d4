// POST /graphql: only the transferIssue mutation is supported; anything else is a violation.
import { HttpError, type Ctx } from "./http.js";
import { actorOf } from "./routes/common.js";
import { issueUrls } from "./serialize.js";

export function handleGraphql(ctx: Ctx): { status: number; body: unknown; violation?: string } {
  const b = ctx.body;
  if (!b || typeof b.query !== "string") return { status: 400, body: { message: "Problems parsing JSON" }, violation: "POST /graphql without a query string" };
  const q: string = b.query;
  if (!/^\s*mutation\b/.test(q) || !/\btransferIssue\s*\(/.test(q)) {
    return {
      status: 200,
      body: { data: null, errors: [{ message: "The sim supports only the transferIssue mutation" }] },
      violation: `unsupported GraphQL document: ${q.replace(/\s+/g, " ").slice(0, 160)}`,
    };
  }
  const vars = (b.variables ?? {}) as Record<string, any>;
  let input: Record<string, any> | undefined = vars.input;
  if (!input) {
    // inline: transferIssue(input: {issueId: $issueId, repositoryId: $repositoryId}) or literals
    const grab = (name: string) => {
      const m = new RegExp(`${name}\\s*:\\s*(?:\\$(\\w+)|"([^"]*)")`).exec(q);
      if (!m) return undefined;
      return m[1] ? vars[m[1]] : m[2];
    };
    input = { issueId: grab("issueId"), repositoryId: grab("repositoryId") };
  }
  if (typeof input.issueId !== "string" || typeof input.repositoryId !== "string") {
    return { status: 200, body: { data: null, errors: [{ message: "transferIssue needs input {issueId: ID!, repositoryId: ID!}" }] }, violation: "transferIssue called without issueId/repositoryId strings" };
  }
  const st = ctx.sim.state;
  const issue = st.issueByNodeId(input.issueId);
  const target = [...st.repos.values()].find((r) => r.node_id === input.repositoryId);
  if (!issue || !target) {
    return { status: 200, body: { data: { transferIssue: null }, errors: [{ type: "NOT_FOUND", path: ["transferIssue"], message: `Could not resolve to a node with the global id of '${!issue ? input.issueId : input.repositoryId}'` }] } };
  }
  try {
    ctx.sim.ops.transferIssue(issue, actorOf(ctx), target);
  } catch (e) {
    if (e instanceof HttpError) return { status: 200, body: { data: { transferIssue: null }, errors: [{ type: "UNPROCESSABLE", path: ["transferIssue"], message: e.message }] } };
    throw e;
  }
  return { status: 200, body: { data: { transferIssue: { issue: { number: issue.number, url: issueUrls(issue).html, id: issue.node_id } } } } };
}
