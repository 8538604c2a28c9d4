import { mapLimit } from "../concurrency.js";
import { readFactsBlock } from "../changes/facts.js";
import { UsageError } from "../action/context.js";
import { ConfigError, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { errorStatus, parseRepo, type GitHub, type RepoRef } from "../github/client.js";
import { atLeast, fetchPermission, type PermissionLevel } from "../github/permissions.js";
import { toHistoryEvent, toIssueSnapshot, type History, type HistoryEvent } from "../incident/history.js";
import { findCards } from "../incident/reconcile.js";
import { commandAuthors, deriveIncident, type IncidentState } from "../incident/state.js";
import { deriveMaintenance, maintenanceActors, type MaintenanceState } from "../maintenance/state.js";
import type { Visibility } from "./public.js";

/**
 * The status page's reads, and only reads. For the page's repository and each of
 * `statuspage.repos`:
 *
 * 1. the repository (is it private?) and, for a listed one, its own configuration (its labels,
 *    severities and permission rule decide what its incidents are);
 * 2. its incidents: the open ones (whatever their age), and those closed since the period began:
 *    two listings, 100 a page;
 * 3. its maintenance windows, the same way;
 * 4. per issue, its timeline (the history the state is derived from); the issue itself comes
 *    from the listing;
 * 5. the permission of each person whose commands count or whose declaration needs accepting,
 *    once per person and repository.
 *
 * What a `/cause` names is taken from the card's cache where there is one (it only decides
 * whether a comment with a wrong `/cause` was refused), so no search and no deployment listing.
 */
export interface GatheredIncident {
  state: IncidentState;
  visibility: Visibility;
}

export interface Gathered {
  incidents: GatheredIncident[];
  maintenances: MaintenanceState[];
  /** The page's repositories, its own first. */
  repos: string[];
  /** Issues read (for the summary). */
  read: number;
}

/** Timelines read at once: enough to hide latency, few enough to stay clear of secondary limits. */
const CONCURRENCY = 4;

export async function gatherStatuspage(github: GitHub, home: RepoRef, config: Config, periodStart: string): Promise<Gathered> {
  const homeName = `${home.owner}/${home.repo}`;
  const listed = new Set(config.statuspage.repos.map((r) => r.toLowerCase()));
  const names = [homeName, ...config.statuspage.repos.filter((r) => r.toLowerCase() !== homeName.toLowerCase())];
  const seen = new Set<string>();
  const repos = names.filter((r) => !seen.has(r.toLowerCase()) && seen.add(r.toLowerCase()));
  const out: Gathered = { incidents: [], maintenances: [], repos, read: 0 };

  for (const name of repos) {
    const repo = parseRepo(name);
    const own = name === homeName;
    const privateRepo = await isPrivate(github, repo, own);
    const repoConfig = own ? config : await configOf(github, repo);
    const permissions = new Map<string, Promise<PermissionLevel>>();
    const permissionOf = (login: string) => {
      let level = permissions.get(login);
      if (!level) permissions.set(login, (level = fetchPermission(github, repo, login)));
      return level;
    };
    const may = async (logins: string[]) => {
      const levels = new Map<string, PermissionLevel>();
      for (const login of logins) levels.set(login, await permissionOf(login));
      return (login: string) => atLeast(levels.get(login) ?? "none", repoConfig.commands.permission);
    };

    const incidentIssues = await listIssues(github, repo, repoConfig.labels.incident, periodStart);
    const maintenanceIssues = await listIssues(github, repo, repoConfig.labels.maintenance, periodStart);
    out.read += incidentIssues.length + maintenanceIssues.length;

    out.incidents.push(
      ...(await mapLimit(incidentIssues, CONCURRENCY, async (issue) => {
        const history = await historyOf(github, repo, issue);
        const mayCommand = await may(commandAuthors(history, repoConfig));
        const changes = readFactsBlock(findCards(history)[0]?.body ?? "");
        const state = deriveIncident(history, { config: repoConfig, mayCommand, changes });
        // The declarer's permission decides whether a declaration stands on its own (public.ts).
        const declarer = state.declaredBy && !state.declaredBy.endsWith("[bot]") ? await may([state.declaredBy]) : undefined;
        const visibility: Visibility = {
          privateRepo,
          listed: listed.has(name.toLowerCase()),
          mayCommand: (login) => (login === state.declaredBy && declarer ? declarer(login) : mayCommand(login)),
        };
        return { state, visibility };
      })),
    );
    // Maintenance windows of a private repository stay off the page like its incidents.
    if (privateRepo && !listed.has(name.toLowerCase())) continue;
    out.maintenances.push(
      ...(await mapLimit(maintenanceIssues, CONCURRENCY, async (issue) => {
        const history = await historyOf(github, repo, issue);
        const mayCommand = await may(maintenanceActors(history, repoConfig));
        return deriveMaintenance(history, { config: repoConfig, mayCommand });
      })),
    );
  }
  return out;
}

async function isPrivate(github: GitHub, repo: RepoRef, own: boolean): Promise<boolean> {
  try {
    const { data } = await github.rest.repos.get({ ...repo });
    return data.private;
  } catch (error) {
    if (!own && (errorStatus(error) === 404 || errorStatus(error) === 403)) {
      throw new UsageError(`statuspage.repos: ${repo.owner}/${repo.repo} cannot be read with this token; give the Action a token that can read it (input \`token\`), or remove it from the list`);
    }
    throw error;
  }
}

async function configOf(github: GitHub, repo: RepoRef): Promise<Config> {
  try {
    return await loadConfig(github, repo);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`statuspage.repos: the configuration of ${repo.owner}/${repo.repo} is not valid: ${error.message}`);
    throw error;
  }
}

type ListedIssue = Awaited<ReturnType<GitHub["rest"]["issues"]["listForRepo"]>>["data"][number];

/** Open issues with the label, and those closed since the period began; pull requests left out. */
async function listIssues(github: GitHub, repo: RepoRef, label: string, since: string): Promise<ListedIssue[]> {
  const open = await github.paginate(github.rest.issues.listForRepo, { ...repo, labels: label, state: "open", per_page: 100 });
  const closed = await github.paginate(github.rest.issues.listForRepo, { ...repo, labels: label, state: "closed", since, per_page: 100 });
  const byNumber = new Map<number, ListedIssue>();
  for (const issue of [...open, ...closed]) if (!issue.pull_request) byNumber.set(issue.number, issue);
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

async function historyOf(github: GitHub, repo: RepoRef, issue: ListedIssue): Promise<History> {
  const items = await github.paginate(github.rest.issues.listEventsForTimeline, { ...repo, issue_number: issue.number, per_page: 100 });
  const events = items.map(toHistoryEvent).filter((e): e is HistoryEvent => e !== undefined);
  return { repo, issue: toIssueSnapshot(issue), events };
}
