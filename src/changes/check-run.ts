import type { GitHub, RepoRef } from "../github/client.js";
import { identityOf } from "../trust.js";
import { CHECK_NAME, type Conclusion } from "./risk.js";

/**
 * One check run `incident-desk / change risk` per head commit: looked up on the commit first and
 * updated in place, created only when the commit has none of ours; an update that would change
 * nothing is not sent. The caller holds the pull request's lock (src/serialize.ts, across replicas
 * with Redis: see risk-handle.ts), so a duplicate delivery or two deliveries handled at once never
 * create two.
 */

export interface CheckRunOutput {
  conclusion: Conclusion;
  title: string;
  summary: string;
  detailsUrl: string;
}

interface ExistingRun {
  id: number;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null };
  app: { slug?: string } | null;
}

export interface CheckRunResult {
  id: number;
  /** What was sent: `created`, `updated`, or `unchanged` (nothing sent). */
  outcome: "created" | "updated" | "unchanged";
}

/** This app's newest change risk run on a commit (another app's run of the same name is not ours). */
export async function ownRun(github: GitHub, repo: RepoRef, sha: string): Promise<ExistingRun | undefined> {
  const self = (await identityOf(github))?.self;
  const { data } = await github.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "all", per_page: 100 });
  return (data.check_runs as ExistingRun[])
    .filter((r) => self === undefined || `${r.app?.slug ?? ""}[bot]`.toLowerCase() === self.toLowerCase())
    .sort((a, b) => b.id - a.id)[0];
}

export async function writeCheckRun(github: GitHub, repo: RepoRef, pull: number, headSha: string, output: CheckRunOutput): Promise<CheckRunResult> {
  const existing = await ownRun(github, repo, headSha);
  const body = {
    name: CHECK_NAME,
    details_url: output.detailsUrl,
    external_id: String(pull),
    status: "completed" as const,
    conclusion: output.conclusion,
    output: { title: output.title, summary: output.summary },
  };
  if (!existing) {
    const { data: created } = await github.rest.checks.create({ ...repo, head_sha: headSha, ...body });
    return { id: created.id, outcome: "created" };
  }
  const same =
    existing.status === "completed" &&
    existing.conclusion === output.conclusion &&
    existing.details_url === output.detailsUrl &&
    existing.external_id === String(pull) &&
    existing.output.title === output.title &&
    existing.output.summary === output.summary;
  if (same) return { id: existing.id, outcome: "unchanged" };
  await github.rest.checks.update({ ...repo, check_run_id: existing.id, ...body });
  return { id: existing.id, outcome: "updated" };
}
