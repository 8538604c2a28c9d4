import type { Config } from "../config/schema.js";
import type { RepoRef } from "../github/client.js";
import { count, fitBody, list, type BodyPart } from "../text/limits.js";
import { neutraliseInline } from "../text/neutralise.js";
import { freezingIncidents, type FreezeCandidate } from "./freeze.js";
import { findReferences, isRevert } from "./references.js";

/**
 * Change risk (SPEC section 9): what a pull request's check run says, as a PURE function of what
 * was read for it. The check run is `action_required` while a change freeze holds and the pull
 * request is not a fix of a freezing incident; `neutral` when something is worth a look (open
 * incidents or problems on the services it touches, earlier incidents caused by changes to the same
 * files, a freeze it is exempt from); `success` when nothing was found, so that a team can make the
 * check required without blocking every pull request.
 */

export const CHECK_NAME = "incident-desk / change risk";

/** GitHub's limit on a check run's `output.summary` (and `output.text`). */
export const CHECK_SUMMARY_LIMIT = 65_535;

/** An open, accepted incident (never a report in triage, never a declined one). */
export interface OpenIncident extends FreezeCandidate {
  /** A security incident: its title is never shown. */
  security: boolean;
}

export interface EarlierIncident {
  number: number;
  /** When the app recorded the cause (its comment on the pull request). */
  at: string;
  /** The cause pull request and the files it changed that this pull request changes too. */
  cause: { number: number; url: string };
  files: string[];
}

export interface OpenProblem {
  number: number;
  title: string;
  url: string;
  services: string[];
}

export interface PullFacts {
  number: number;
  title: string;
  body: string;
  url: string;
  /** Its head branch is in this repository (not a fork). */
  sameRepo: boolean;
}

export interface RiskFacts {
  repo: RepoRef;
  pull: PullFacts;
  /** Services touched, each with the files that touch it. */
  touched: Map<string, string[]>;
  /** Files read, and whether GitHub's 3,000-file list was cut. */
  fileCount: number;
  filesCut: boolean;
  incidents: OpenIncident[];
  earlier: EarlierIncident[];
  problems: OpenProblem[];
}

export type Conclusion = "action_required" | "neutral" | "success";

export interface Assessment {
  conclusion: Conclusion;
  title: string;
  summary: string;
  detailsUrl: string;
}

/**
 * The freezing incidents this pull request fixes, from a branch of this repository: named with a
 * keyword, or named at all by a revert (`Revert "…"`), as the deploy gate lets them through
 * (src/gate/decide.ts `passageFor`).
 */
export function fixes(pull: PullFacts, repo: RepoRef, freezing: readonly { number: number }[]): number[] {
  if (!pull.sameRepo) return [];
  const here = `${repo.owner}/${repo.repo}`.toLowerCase();
  const revert = isRevert(pull.title);
  const named = new Set<number>();
  for (const text of [pull.title, pull.body]) {
    for (const ref of findReferences(text, repo)) {
      if ((ref.keyword || revert) && `${ref.owner}/${ref.repo}`.toLowerCase() === here) named.add(ref.number);
    }
  }
  return freezing.filter((i) => named.has(i.number)).map((i) => i.number);
}

const incidentLine = (i: OpenIncident) =>
  i.security
    ? `- [#${i.number}](${i.url}) _(a security incident: details withheld)_`
    : `- [#${i.number}](${i.url}) ${neutraliseInline(i.title, 200)} — ${neutraliseInline(i.severity, 50)}, ${i.status}${i.service ? `, service ${neutraliseInline(i.service, 100)}` : ""}`;
const fileList = (files: readonly string[], max = 5) =>
  files
    .slice(0, max)
    .map((f) => neutraliseInline(f, 300))
    .join(", ") + (files.length > max ? ` and ${count(files.length - max)} more` : "");

export function assessRisk(facts: RiskFacts, config: Config): Assessment {
  const { pull, repo } = facts;
  const services = [...facts.touched.keys()];
  const onServices = facts.incidents.filter((i) => i.service !== undefined && facts.touched.has(i.service));
  const freezing = freezingIncidents(config, facts.incidents);
  const fixed = fixes(pull, repo, freezing);
  const held = freezing.length > 0 && fixed.length === 0;
  const found = onServices.length + facts.earlier.length + facts.problems.length + freezing.length;

  const conclusion: Conclusion = held ? "action_required" : found > 0 ? "neutral" : "success";
  const first = freezing[0];
  const detailsUrl = held && first ? first.url : pull.url;

  const parts: BodyPart[] = [];
  const fixedLine = (n: number) => `#${n}`;
  const titleText = held
    ? `Change freeze: incident #${first!.number} holds changes`
    : found === 0
      ? "No open incidents, problems or earlier incidents on what this changes"
      : [
          freezing.length > 0 ? `fixes ${fixed.map(fixedLine).join(", ")} during the freeze` : "",
          onServices.length > 0 ? `${count(onServices.length)} open incident${onServices.length === 1 ? "" : "s"}` : "",
          facts.problems.length > 0 ? `${count(facts.problems.length)} open problem${facts.problems.length === 1 ? "" : "s"}` : "",
          facts.earlier.length > 0
            ? `${count(facts.earlier.length)} earlier incident${facts.earlier.length === 1 ? "" : "s"} caused by changes to these files`
            : "",
        ]
          .filter(Boolean)
          .join(", ")
          .replace(/^./, (c) => c.toUpperCase());

  if (freezing.length > 0) {
    parts.push(
      [
        "### ❄️ Change freeze",
        "",
        held
          ? "A change freeze is on (`changes.freeze`): this pull request is held until the incidents below are mitigated, unless it fixes one of them (`Fixes #n`, `Closes #n`, `Resolves #n` or `Incident: #n` in its title or description, or a revert that names it, from a branch of this repository)."
          : `A change freeze is on (\`changes.freeze\`); this pull request fixes ${fixed.map(fixedLine).join(", ")}, so it is not held.`,
        "",
        "",
      ].join("\n"),
    );
    parts.push(list(freezing.map(incidentLine), (n) => `- … and ${count(n)} more`));
  }
  const sections: { heading: string; lines: string[] }[] = [
    { heading: "### 🔥 Open incidents on the services this changes", lines: onServices.map(incidentLine) },
    {
      heading: "### 🧩 Open problems on these services",
      lines: facts.problems.map(
        (p) => `- [#${p.number}](${p.url}) ${neutraliseInline(p.title, 200)} — ${p.services.map((s) => neutraliseInline(s, 100)).join(", ")}`,
      ),
    },
    {
      heading: "### 🕰️ Earlier incidents caused by changes to the same files (last 90 days)",
      lines: facts.earlier.map((e) => `- #${e.number}: caused by [#${e.cause.number}](${e.cause.url}), which changed ${fileList(e.files)}`),
    },
  ];
  for (const section of sections) {
    if (section.lines.length === 0) continue;
    parts.push(`${parts.length > 0 ? "\n\n" : ""}${section.heading}\n\n`);
    parts.push(list(section.lines, (n) => `- … and ${count(n)} more`));
  }
  const touched =
    services.length > 0
      ? `Services this changes: ${services.map((s) => `**${neutraliseInline(s, 100)}** (${count(facts.touched.get(s)!.length)} file${facts.touched.get(s)!.length === 1 ? "" : "s"})`).join(", ")}.`
      : Object.values(config.services).some((s) => s.paths.length > 0)
        ? "This changes no configured service (`services.<name>.paths`)."
        : "No service has `paths` in `.github/incidents.yml`, so only the change freeze and earlier incidents are looked at.";
  const filesNote = facts.filesCut ? ` Only the first ${count(facts.fileCount)} files were looked at (GitHub lists no more).` : "";
  parts.push(`${parts.length > 0 ? "\n\n---\n\n" : ""}${touched}${filesNote}`);
  return { conclusion, title: titleText.slice(0, 200), summary: fitBody(parts, CHECK_SUMMARY_LIMIT), detailsUrl };
}
