// The sim's state records (plain data; REST shapes are produced by serialize.ts).
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export const PERMISSION_ORDER: Permission[] = ["none", "read", "triage", "write", "maintain", "admin"];

export interface UserRec {
  id: number;
  login: string;
  node_id: string;
  type: "User" | "Bot" | "Organization";
  app?: AppRec;
}

export interface AppRec {
  id: number;
  slug: string;
  name: string;
  node_id: string;
  client_id: string;
  owner: UserRec;
  bot: UserRec;
  created_at: string;
}

export interface InstallationRec {
  id: number;
  account: UserRec;
  created_at: string;
}

export interface LabelRec {
  id: number;
  node_id: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface BlobRec {
  sha: string;
  content: Buffer;
}

export interface CommitRec {
  sha: string;
  node_id: string;
  message: string;
  parents: string[];
  tree: Map<string, BlobRec>;
  treeSha: string;
  author: UserRec;
  date: string;
}

export interface ReactionRec {
  id: number;
  node_id: string;
  user: UserRec;
  content: string;
  created_at: string;
}

export interface CommentRec {
  id: number;
  node_id: string;
  issue: IssueRec;
  body: string;
  user: UserRec;
  created_at: string;
  updated_at: string;
  reactions: ReactionRec[];
  app: AppRec | null;
}

export interface EventRec {
  id: number;
  node_id: string;
  event: string;
  actor: UserRec;
  created_at: string;
  app: AppRec | null;
  label?: { name: string; color: string };
  assignee?: UserRec;
  rename?: { from: string; to: string };
  state_reason?: string | null;
  commit_id?: string | null;
  commit_repo?: RepoRec;
  comment?: CommentRec;
  source?: IssueRec;
  /** issue_type_added / issue_type_changed / issue_type_removed. */
  issue_type?: IssueTypeRec | null;
  prev_issue_type?: IssueTypeRec | null;
  /** sub_issue_added / sub_issue_removed: the sub-issue; parent_issue_added / parent_issue_removed: the parent. */
  sub_issue?: IssueRec;
  parent_issue?: IssueRec;
  /** Only on the timeline (not /events). */
  timelineOnly?: boolean;
}

export interface PullRec {
  head: { ref: string; sha: string; repo: RepoRec };
  base: { ref: string; sha: string; repo: RepoRec };
  commits: string[];
  merged: boolean;
  merged_at: string | null;
  merged_by: UserRec | null;
  merge_commit_sha: string | null;
  draft: boolean;
}

export interface IssueRec {
  id: number;
  node_id: string;
  number: number;
  repo: RepoRec;
  title: string;
  body: string | null;
  user: UserRec;
  labelIds: number[];
  assignees: UserRec[];
  state: "open" | "closed";
  state_reason: string | null;
  closed_at: string | null;
  closed_by: UserRec | null;
  created_at: string;
  updated_at: string;
  locked: boolean;
  timeline: EventRec[];
  subIssues: IssueRec[];
  parent: IssueRec | null;
  /** The organisation's issue type set on it (none on personal accounts' repositories). */
  type: IssueTypeRec | null;
  reactions: ReactionRec[];
  pr: PullRec | null;
  app: AppRec | null;
}

/** An organisation's issue type (`GET /orgs/{org}/issue-types`). */
export interface IssueTypeRec {
  id: number;
  node_id: string;
  name: string;
  description: string | null;
  color: "gray" | "blue" | "green" | "yellow" | "orange" | "red" | "pink" | "purple" | null;
  created_at: string;
  updated_at: string;
  is_enabled: boolean;
}

export interface DeploymentStatusRec {
  id: number;
  node_id: string;
  state: string;
  creator: UserRec;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
  updated_at: string;
  app: AppRec | null;
}

export interface DeploymentRec {
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  payload: unknown;
  description: string | null;
  creator: UserRec;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
  statuses: DeploymentStatusRec[];
  app: AppRec | null;
}

export interface RepoRec {
  id: number;
  node_id: string;
  owner: UserRec;
  name: string;
  private: boolean;
  default_branch: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  fork: boolean;
  parent: RepoRec | null;
  installed: boolean;
  labels: LabelRec[];
  issues: Map<number, IssueRec>;
  nextNumber: number;
  /** "refs/heads/main" → sha */
  refs: Map<string, string>;
  commits: Map<string, CommitRec>;
  comments: Map<number, CommentRec>;
  deployments: DeploymentRec[];
  permissions: Map<string, Permission>;
  /** issue number → where it was transferred */
  moved: Map<number, IssueRec>;
}

export const fullName = (r: RepoRec) => `${r.owner.login}/${r.name}`;
