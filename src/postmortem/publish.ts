import { hasMarker, writeMarker } from "../markers.js";
import type { Config } from "../config/schema.js";
import type { GitHub, RepoRef } from "../github/client.js";
import { errorStatus } from "../github/client.js";
import { ensureLabels } from "../github/labels.js";
import type { History } from "../incident/history.js";
import { labelSpec } from "../incident/labels.js";
import type { IncidentState } from "../incident/state.js";
import { bundledTemplate } from "../templates.js";
import { cutText, fitBody, text } from "../text/limits.js";
import { isPostmortemFileOf, postmortemBranch } from "./build.js";
import { redact } from "./redact.js";
import { postmortemFileState } from "./render.js";

/**
 * Put the post-mortem where people review it: a file on the branch `incident-desk/postmortem-<n>`,
 * one pull request labelled `postmortem`, and its link commented on the incident once. Every step
 * first looks at what is there, so a re-run, or a run after one that failed half-way, finishes
 * the job without doing any of it twice.
 */

export const LINK_MARKER = writeMarker("postmortem-link");

export type PublishOutcome = "created" | "updated" | "unchanged" | "kept-edits" | "merged";

export interface PublishResult {
  path: string;
  pullRequest?: number;
  pullRequestUrl?: string;
  outcome: PublishOutcome;
  /** What was (or, in a dry run, would be) written. */
  writes: string[];
}

export interface PublishInput {
  github: GitHub;
  repo: RepoRef;
  /** The repository, as `GET /repos/{owner}/{repo}` answered (the caller has read it already). */
  repository: { private: boolean; default_branch: string };
  config: Config;
  state: IncidentState;
  history: History;
  /** The rendered document (render.ts). */
  document: string;
  /** Where a new post-mortem goes (build.ts: postmortemPath). */
  path: string;
  dryRun: boolean;
}

interface Pull {
  number: number;
  state: string;
  merged_at: string | null;
  html_url: string;
  title: string;
  body: string | null;
  labels: { name?: string }[];
}

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");
const decode = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

/** The incident's post-mortem file in `dir` at `ref`, if any (a 404 means no directory yet). */
async function findFile(github: GitHub, repo: RepoRef, dir: string, ref: string, number: number): Promise<{ path: string; sha: string } | undefined> {
  try {
    const { data } = await github.rest.repos.getContent({ ...repo, path: dir, ref });
    if (!Array.isArray(data)) return undefined;
    const file = data.find((entry) => entry.type === "file" && isPostmortemFileOf(entry.name, number));
    return file ? { path: file.path, sha: file.sha } : undefined;
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

async function readFile(github: GitHub, repo: RepoRef, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.repos.getContent({ ...repo, path, ref });
    return !Array.isArray(data) && data.type === "file" && "content" in data ? decode(data.content) : undefined;
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

async function branchSha(github: GitHub, repo: RepoRef, branch: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

async function pullsOf(github: GitHub, repo: RepoRef, branch: string): Promise<Pull[]> {
  const { data } = await github.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: "all", per_page: 100 });
  return data;
}

/** GitHub refuses a title over 256 characters: the incident's own title may already be that long. */
const TITLE_LIMIT = 256;

export function pullTitle(state: Pick<IncidentState, "title" | "number">): string {
  const [prefix, suffix] = ["Post-mortem: ", ` (#${state.number})`];
  return `${prefix}${cutText(redact(state.title), TITLE_LIMIT - prefix.length - suffix.length, () => "…")}${suffix}`;
}

export async function publishPostmortem(input: PublishInput): Promise<PublishResult> {
  const { github, repo, repository, config, state, history, document, dryRun } = input;
  const writes: string[] = [];
  const write = async (what: string, action: () => Promise<unknown>) => {
    writes.push(what);
    if (!dryRun) await action();
  };
  if (state.security && !repository.private) {
    throw new Error(
      `#${state.number} is a security incident: its post-mortem is not written to the public repository ${repo.owner}/${repo.repo} (set \`private.repo\` and run the Action there).`,
    );
  }
  const base = repository.default_branch;
  const branch = postmortemBranch(state.number);
  const dir = config.postmortem.path.replace(/^\/+|\/+$/g, "");
  const pulls = await pullsOf(github, repo, branch);

  // A merged post-mortem belongs to the people who reviewed it: it is never regenerated.
  const merged = pulls.find((p) => p.merged_at);
  const onBase = await findFile(github, repo, dir, base, state.number);
  if (merged || onBase) {
    return {
      path: onBase?.path ?? input.path,
      ...(merged ? { pullRequest: merged.number, pullRequestUrl: merged.html_url } : {}),
      outcome: "merged",
      writes,
    };
  }

  const head = await branchSha(github, repo, branch);
  if (!head) {
    const baseSha = await branchSha(github, repo, base);
    if (!baseSha) throw new Error(`the default branch ${base} of ${repo.owner}/${repo.repo} has no commit to start the post-mortem branch from`);
    await write(`branch ${branch}`, async () => {
      try {
        await github.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: baseSha });
      } catch (error) {
        // 422: a concurrent run created it a moment ago; it starts from the same commit.
        if (errorStatus(error) !== 422) throw error;
      }
    });
  }

  // The file keeps the name it was first given, so a renamed incident does not leave two files.
  const existing = head !== undefined ? await findFile(github, repo, dir, branch, state.number) : undefined;
  const path = existing?.path ?? input.path;
  let outcome: PublishOutcome = existing ? "unchanged" : "created";
  const current = existing ? await readFile(github, repo, existing.path, branch) : undefined;
  if (existing && current !== undefined && postmortemFileState(current) === "edited") {
    outcome = "kept-edits";
  } else if (current !== document) {
    if (existing) outcome = "updated";
    const message = redact(`Post-mortem of #${state.number}: ${state.title}`);
    await write(`file ${path}`, () =>
      github.rest.repos.createOrUpdateFileContents({
        ...repo,
        path,
        branch,
        message,
        content: encode(document),
        ...(existing ? { sha: existing.sha } : {}),
      }),
    );
  }

  const title = pullTitle(state);
  const body = fitBody([text(redact(bundledTemplate("postmortem-pull.md.hbs")({ state, path }).trim()), { at: "line" })]);
  let pull = pulls.find((p) => p.state === "open") ?? pulls[0];
  if (!pull) {
    await write(`pull request ${branch} → ${base}`, async () => {
      try {
        const { data } = await github.rest.pulls.create({ ...repo, head: branch, base, title, body });
        pull = data;
      } catch (error) {
        if (errorStatus(error) !== 422) throw error;
        // Opened by a concurrent run: use that one.
        pull = (await pullsOf(github, repo, branch)).find((p) => p.state === "open");
        if (!pull) throw error;
      }
    });
    if (outcome === "unchanged") outcome = "updated";
  } else if (pull.state !== "open" || pull.title !== title || (pull.body ?? "") !== body) {
    const number = pull.number;
    await write(`pull request #${number}`, () => github.rest.pulls.update({ ...repo, pull_number: number, title, body, state: "open" }));
  }

  if (pull && !pull.labels.some((l) => l.name?.toLowerCase() === config.labels.postmortem.toLowerCase())) {
    const number = pull.number;
    await write(`label ${config.labels.postmortem} on #${number}`, async () => {
      await ensureLabels(github, repo, [labelSpec(config, config.labels.postmortem)]);
      await github.rest.issues.addLabels({ ...repo, issue_number: number, labels: [config.labels.postmortem] });
    });
  }

  if (pull || dryRun) {
    const comment = fitBody([text(bundledTemplate("postmortem-comment.md.hbs")({ marker: LINK_MARKER, pull, path, branch }).trim(), { at: "line" })]);
    const previous = history.events.find((e) => e.type === "commented" && e.own === true && hasMarker(e.body, "postmortem-link"));
    if (!previous) {
      await write(`comment on #${state.number}`, () => github.rest.issues.createComment({ ...repo, issue_number: state.number, body: comment }));
    } else if (previous.type === "commented" && previous.body !== comment && pull) {
      const id = previous.commentId;
      await write(`comment on #${state.number}`, () => github.rest.issues.updateComment({ ...repo, comment_id: id, body: comment }));
    }
  }

  return {
    path,
    ...(pull ? { pullRequest: pull.number, pullRequestUrl: pull.html_url } : {}),
    outcome,
    writes,
  };
}
