// Turns the sim's records into the REST/webhook JSON shapes of GitHub's description.
import type { AppRec, CommentRec, CommitRec, DeploymentRec, DeploymentStatusRec, EventRec, InstallationRec, IssueRec, IssueTypeRec, LabelRec, ReactionRec, RepoRec, UserRec, BlobRec } from "./model.js";
import { fullName, PERMISSION_ORDER } from "./model.js";

export const API = "https://api.github.com";
export const WEB = "https://github.com";

export function userJson(u: UserRec) {
  const api = `${API}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: u.node_id,
    avatar_url: u.app ? `https://avatars.githubusercontent.com/in/${u.app.id}?v=4` : `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: u.app ? `${WEB}/apps/${u.app.slug}` : `${WEB}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** What the sim's app may do (the gate's review needs `deployments: write` and `actions: read`, as GitHub documents). */
export const APP_PERMISSIONS: Record<string, "read" | "write"> = { issues: "write", pull_requests: "write", contents: "write", deployments: "write", actions: "read", checks: "write", metadata: "read" };

export function appJson(a: AppRec) {
  return {
    id: a.id,
    slug: a.slug,
    node_id: a.node_id,
    client_id: a.client_id,
    owner: userJson(a.owner),
    name: a.name,
    description: "",
    external_url: `https://${a.slug}.example.com`,
    html_url: `${WEB}/apps/${a.slug}`,
    created_at: a.created_at,
    updated_at: a.created_at,
    permissions: { ...APP_PERMISSIONS },
    events: ["issues", "issue_comment", "pull_request", "deployment", "deployment_status", "repository_dispatch", "label", "check_run", "check_suite"],
  };
}

export function installationJson(i: InstallationRec, app: AppRec) {
  return {
    id: i.id,
    account: userJson(i.account),
    repository_selection: "selected",
    access_tokens_url: `${API}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${API}/installation/repositories`,
    html_url: `${WEB}/settings/installations/${i.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: i.account.id,
    target_type: i.account.type === "Organization" ? "Organization" : "User",
    permissions: { ...APP_PERMISSIONS },
    events: ["issues", "issue_comment", "pull_request"],
    created_at: i.created_at,
    updated_at: i.created_at,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function repoJson(r: RepoRec, viewerPermission?: string) {
  const full = fullName(r);
  const api = `${API}/repos/${full}`;
  const open = [...r.issues.values()].filter((i) => i.state === "open" && i.repo === r).length;
  const perm = viewerPermission ?? "read";
  const at = (p: string) => PERMISSION_ORDER.indexOf(perm as never) >= PERMISSION_ORDER.indexOf(p as never);
  return {
    id: r.id,
    node_id: r.node_id,
    name: r.name,
    full_name: full,
    private: r.private,
    owner: userJson(r.owner),
    html_url: `${WEB}/${full}`,
    description: r.description,
    fork: r.fork,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: r.created_at,
    updated_at: r.updated_at,
    pushed_at: r.pushed_at,
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    clone_url: `${WEB}/${full}.git`,
    svn_url: `${WEB}/${full}`,
    homepage: null,
    size: 1,
    stargazers_count: 0,
    watchers_count: 0,
    language: "TypeScript",
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: open,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: r.private ? "private" : "public",
    forks: 0,
    open_issues: open,
    watchers: 0,
    default_branch: r.default_branch,
    permissions: { admin: at("admin"), maintain: at("maintain"), push: at("write"), triage: at("triage"), pull: at("read") },
    network_count: 0,
    subscribers_count: 0,
    ...(r.parent ? { parent: repoJsonMinimal(r.parent), source: repoJsonMinimal(r.parent) } : {}),
    ...(r.owner.type === "Organization" ? { organization: userJson(r.owner) } : {}),
  };
}

export function repoJsonMinimal(r: RepoRec) {
  const { parent: _p, source: _s, organization: _o, network_count: _n, subscribers_count: _c, ...rest } = repoJson(r) as Record<string, unknown>;
  return rest;
}

export function labelJson(r: RepoRec, l: LabelRec) {
  return {
    id: l.id,
    node_id: l.node_id,
    url: `${API}/repos/${fullName(r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  };
}

export function reactionRollup(url: string, reactions: ReactionRec[]) {
  const count = (c: string) => reactions.filter((r) => r.content === c).length;
  return {
    url: `${url}/reactions`,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

export function reactionJson(r: ReactionRec) {
  return { id: r.id, node_id: r.node_id, user: userJson(r.user), content: r.content, created_at: r.created_at };
}

export function authorAssociation(r: RepoRec, u: UserRec): string {
  if (u.id === r.owner.id) return "OWNER";
  const p = r.permissions.get(u.login.toLowerCase());
  if (p && p !== "none" && p !== "read") return r.owner.type === "Organization" ? "MEMBER" : "COLLABORATOR";
  return "NONE";
}

export function issueUrls(i: IssueRec) {
  const full = fullName(i.repo);
  const url = `${API}/repos/${full}/issues/${i.number}`;
  const html = `${WEB}/${full}/${i.pr ? "pull" : "issues"}/${i.number}`;
  return { url, html };
}

export function issueJson(i: IssueRec, opts: { withRepository?: boolean; score?: boolean } = {}) {
  const full = fullName(i.repo);
  const { url, html } = issueUrls(i);
  const labels = i.labelIds.map((id) => i.repo.labels.find((l) => l.id === id)).filter((l): l is LabelRec => !!l).map((l) => labelJson(i.repo, l));
  const completed = i.subIssues.filter((s) => s.state === "closed").length;
  return {
    url,
    repository_url: `${API}/repos/${full}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    id: i.id,
    node_id: i.node_id,
    number: i.number,
    title: i.title,
    user: userJson(i.user),
    labels,
    state: i.state,
    locked: i.locked,
    assignee: i.assignees[0] ? userJson(i.assignees[0]) : null,
    assignees: i.assignees.map(userJson),
    milestone: null,
    comments: [...i.repo.comments.values()].filter((c) => c.issue === i).length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: authorAssociation(i.repo, i.user),
    type: i.type ? issueTypeJson(i.type) : null,
    active_lock_reason: null,
    ...(i.pr
      ? {
          draft: i.pr.draft,
          pull_request: {
            url: `${API}/repos/${full}/pulls/${i.number}`,
            html_url: `${WEB}/${full}/pull/${i.number}`,
            diff_url: `${WEB}/${full}/pull/${i.number}.diff`,
            patch_url: `${WEB}/${full}/pull/${i.number}.patch`,
            merged_at: i.pr.merged_at,
          },
        }
      : {}),
    body: i.body,
    closed_by: i.closed_by ? userJson(i.closed_by) : null,
    reactions: reactionRollup(url, i.reactions),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: i.app ? appJson(i.app) : null,
    state_reason: i.state_reason,
    sub_issues_summary: { total: i.subIssues.length, completed, percent_completed: i.subIssues.length ? Math.floor((completed * 100) / i.subIssues.length) : 0 },
    ...(i.pr ? {} : { parent_issue_url: i.parent ? issueUrls(i.parent).url : null }),
    ...(opts.withRepository ? { repository: repoJson(i.repo) } : {}),
    ...(opts.score ? { score: 1 } : {}),
  };
}

/** An organisation's issue type, as `GET /orgs/{org}/issue-types` and the `issues.typed` payload show it. */
export function issueTypeJson(t: IssueTypeRec) {
  return { id: t.id, node_id: t.node_id, name: t.name, description: t.description, color: t.color, created_at: t.created_at, updated_at: t.updated_at, is_enabled: t.is_enabled };
}

/** The short form timeline events carry (`issue-type-webhook`). */
function issueTypeBrief(t: IssueTypeRec | null | undefined) {
  return t ? { id: t.id, name: t.name, color: t.color } : null;
}

/** `nullable-issue-reference`: the other issue of a sub-issue / parent-issue event, as it is now. */
function issueReference(i: IssueRec) {
  return { number: i.number, title: i.title, state: i.state, state_reason: i.state_reason, repository: repoJsonMinimal(i.repo), issue_type: issueTypeBrief(i.type) };
}

export function commentJson(c: CommentRec) {
  const full = fullName(c.issue.repo);
  const url = `${API}/repos/${full}/issues/comments/${c.id}`;
  return {
    url,
    html_url: `${issueUrls(c.issue).html}#issuecomment-${c.id}`,
    issue_url: issueUrls(c.issue).url,
    id: c.id,
    node_id: c.node_id,
    user: userJson(c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: authorAssociation(c.issue.repo, c.user),
    body: c.body,
    reactions: reactionRollup(url, c.reactions),
    performed_via_github_app: c.app ? appJson(c.app) : null,
  };
}

function branchRef(repo: RepoRec, ref: string, sha: string) {
  return { label: `${repo.owner.login}:${ref}`, ref, sha, user: userJson(repo.owner), repo: repoJson(repo) };
}

export function pullJson(i: IssueRec, full = true) {
  return full ? pullFullJson(i) : pullSimpleJson(i);
}

export function pullFullJson(i: IssueRec) {
  const base = pullSimpleJson(i);
  const pr = i.pr!;
  return {
    ...base,
    merged: pr.merged,
    mergeable: i.state === "open" ? true : null,
    rebaseable: i.state === "open" ? true : null,
    mergeable_state: i.state === "open" ? "clean" : "unknown",
    merged_by: pr.merged_by ? userJson(pr.merged_by) : null,
    comments: [...i.repo.comments.values()].filter((c) => c.issue === i).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits.length,
    additions: pr.commits.length,
    deletions: 0,
    changed_files: pr.commits.length ? 1 : 0,
  };
}

export function pullSimpleJson(i: IssueRec) {
  const pr = i.pr!;
  const name = fullName(i.repo);
  const url = `${API}/repos/${name}/pulls/${i.number}`;
  const html = `${WEB}/${name}/pull/${i.number}`;
  const issue = issueJson(i);
  const base = {
    url,
    id: i.id,
    node_id: i.node_id.replace(/^I_/, "PR_"),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue.url,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${API}/repos/${name}/pulls/comments{/number}`,
    comments_url: issue.comments_url,
    statuses_url: `${API}/repos/${name}/statuses/${pr.head.sha}`,
    number: i.number,
    state: i.state,
    locked: i.locked,
    title: i.title,
    user: issue.user,
    body: i.body,
    labels: issue.labels,
    milestone: null,
    active_lock_reason: null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: pr.merged_at,
    merge_commit_sha: pr.merge_commit_sha,
    assignee: issue.assignee,
    assignees: issue.assignees,
    requested_reviewers: [],
    requested_teams: [],
    head: branchRef(pr.head.repo, pr.head.ref, pr.head.sha),
    base: branchRef(pr.base.repo, pr.base.ref, pr.base.sha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue.url },
      comments: { href: issue.comments_url },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${API}/repos/${name}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${API}/repos/${name}/statuses/${pr.head.sha}` },
    },
    author_association: issue.author_association,
    auto_merge: null,
    draft: pr.draft,
  };
  return base;
}

export function gitUserJson(u: UserRec, date: string) {
  return { name: u.login, email: `${u.id}+${u.login}@users.noreply.github.com`, date };
}

export function commitJson(repo: RepoRec, c: CommitRec) {
  const name = fullName(repo);
  return {
    url: `${API}/repos/${name}/commits/${c.sha}`,
    sha: c.sha,
    node_id: c.node_id,
    html_url: `${WEB}/${name}/commit/${c.sha}`,
    comments_url: `${API}/repos/${name}/commits/${c.sha}/comments`,
    commit: {
      url: `${API}/repos/${name}/git/commits/${c.sha}`,
      author: gitUserJson(c.author, c.date),
      committer: gitUserJson(c.author, c.date),
      message: c.message,
      comment_count: 0,
      tree: { sha: c.treeSha, url: `${API}/repos/${name}/git/trees/${c.treeSha}` },
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    author: userJson(c.author),
    committer: userJson(c.author),
    parents: c.parents.map((p) => ({ sha: p, url: `${API}/repos/${name}/commits/${p}`, html_url: `${WEB}/${name}/commit/${p}` })),
  };
}

export function contentFileJson(repo: RepoRec, path: string, blob: BlobRec, ref: string) {
  const name = fullName(repo);
  const url = `${API}/repos/${name}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${WEB}/${name}/blob/${ref}/${path}`;
  const git = `${API}/repos/${name}/git/blobs/${blob.sha}`;
  return {
    type: "file" as const,
    encoding: "base64",
    size: blob.content.length,
    name: path.split("/").pop()!,
    path,
    content: blob.content.toString("base64").replace(/(.{60})/g, "$1\n"),
    sha: blob.sha,
    url,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com/${name}/${ref}/${path}`,
    _links: { self: url, git, html },
  };
}

export function deploymentJson(repo: RepoRec, d: DeploymentRec) {
  const url = `${API}/repos/${fullName(repo)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: d.node_id,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload as Record<string, unknown>,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: `${API}/repos/${fullName(repo)}`,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: d.app ? appJson(d.app) : null,
  };
}

export function deploymentStatusJson(repo: RepoRec, d: DeploymentRec, s: DeploymentStatusRec) {
  const durl = `${API}/repos/${fullName(repo)}/deployments/${d.id}`;
  return {
    url: `${durl}/statuses/${s.id}`,
    id: s.id,
    node_id: s.node_id,
    state: s.state,
    creator: userJson(s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: durl,
    repository_url: `${API}/repos/${fullName(repo)}`,
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: s.app ? appJson(s.app) : null,
  };
}

export function eventJson(issue: IssueRec, e: EventRec, forTimeline: boolean): Record<string, unknown> | null {
  const name = fullName(issue.repo);
  if (e.event === "commented") {
    const c = e.comment!;
    if (!issue.repo.comments.has(c.id) && ![...issue.repo.comments.values()].includes(c)) return null;
    return { ...commentJson(c), event: "commented", actor: userJson(c.user) };
  }
  if (e.event === "cross-referenced") {
    const src = e.source!;
    return {
      event: "cross-referenced",
      actor: userJson(e.actor),
      created_at: e.created_at,
      updated_at: e.created_at,
      source: { type: "issue", issue: issueJson(src, { withRepository: true }) },
    };
  }
  const base: Record<string, unknown> = {
    id: e.id,
    node_id: e.node_id,
    url: `${API}/repos/${name}/issues/events/${e.id}`,
    actor: userJson(e.actor),
    event: e.event,
    commit_id: e.commit_id ?? null,
    commit_url: e.commit_id ? `${API}/repos/${fullName(e.commit_repo ?? issue.repo)}/commits/${e.commit_id}` : null,
    created_at: e.created_at,
    performed_via_github_app: e.app ? appJson(e.app) : null,
  };
  if (e.label) base.label = e.label;
  if (e.assignee) {
    base.assignee = userJson(e.assignee);
    base.assigner = userJson(e.actor);
  }
  if (e.rename) base.rename = e.rename;
  if (e.event === "issue_type_added" || e.event === "issue_type_changed") base.issue_type = issueTypeBrief(e.issue_type);
  if (e.event === "issue_type_removed" || e.event === "issue_type_changed") base.prev_issue_type = issueTypeBrief(e.prev_issue_type);
  if (e.sub_issue) base.sub_issue = issueReference(e.sub_issue);
  if (e.parent_issue) base.parent_issue = issueReference(e.parent_issue);
  if (e.event === "closed" || e.event === "reopened") base.state_reason = e.state_reason ?? null;
  if (!forTimeline) base.issue = issueJson(issue);
  return base;
}
