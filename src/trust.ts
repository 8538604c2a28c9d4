/** The author of something on GitHub, as far as trust goes. */
interface Actor {
  login: string;
}

/**
 * Whose hidden markers are believed: this app's own account (the app's `<slug>[bot]`; in the
 * Action, the account its token writes as), and its companions — in the app, the Action's
 * `github-actions[bot]`; in the Action, the app named by the `app` input — but those only within
 * the repository being worked on (a workflow's token writes nowhere else). Nobody else: not
 * another bot (Dependabot and Renovate copy upstream release notes into their pull requests),
 * not a person.
 */
export interface Identity {
  /** The login this process writes as. */
  self: string;
  /** Logins of the other half of the deployment, believed in the working repository only. */
  companions: string[];
}

export const ACTIONS_BOT = "github-actions[bot]";

const lower = (s: string) => s.toLowerCase();

/** Whether `actor` is us, for an item of repository `where` while working on repository `home`. */
export function wroteIt(identity: Identity | undefined, actor: Actor | undefined, where: string, home: string): boolean {
  if (!identity || !actor) return false;
  const login = lower(actor.login);
  if (login === lower(identity.self)) return true;
  return lower(where) === lower(home) && identity.companions.some((c) => lower(c) === login);
}

const identities = new WeakMap<object, Identity | (() => Promise<Identity>)>();

/**
 * Remember who a client writes as (the app: per delivery; the Action: once per run). A function
 * is asked only when a marker is first weighed, so a delivery that reads nothing asks nothing.
 */
export function identify<T extends object>(client: T, identity: Identity | (() => Promise<Identity>)): T {
  identities.set(client, identity);
  return client;
}

export async function identityOf(client: object): Promise<Identity | undefined> {
  const known = identities.get(client);
  if (typeof known !== "function") return known;
  const identity = await known();
  identities.set(client, identity);
  return identity;
}

/**
 * Whether an item of repository `repo` (an issue, comment or reaction as GitHub's REST API returns
 * it) was written by this deployment: the one check every reader of GitHub's lists makes.
 */
export async function writtenByUs(client: object, repo: { owner: string; repo: string }): Promise<(item: { user?: { login?: string } | null }) => boolean> {
  const identity = await identityOf(client);
  const full = `${repo.owner}/${repo.repo}`;
  return (item) => wroteIt(identity, { login: item.user?.login ?? "" }, full, full);
}
