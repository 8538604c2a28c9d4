import type { GitHub, RepoRef } from "./client.js";
import { errorStatus } from "./client.js";

export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

const rank = (level: string) => Math.max(0, PERMISSION_LEVELS.indexOf(level as PermissionLevel));

export function atLeast(level: string, required: string): boolean {
  return rank(level) >= rank(required);
}

/** A user's permission on a repository (`role_name` distinguishes triage and maintain). */
export async function fetchPermission(github: GitHub, repo: RepoRef, login: string): Promise<PermissionLevel> {
  try {
    const { data } = await github.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
    const role = (data as { role_name?: string }).role_name;
    const level = role && (PERMISSION_LEVELS as readonly string[]).includes(role) ? role : data.permission;
    return (PERMISSION_LEVELS as readonly string[]).includes(level) ? (level as PermissionLevel) : "none";
  } catch (error) {
    if (errorStatus(error) === 404) return "none";
    throw error;
  }
}

export async function fetchPermissions(github: GitHub, repo: RepoRef, logins: string[]): Promise<Map<string, PermissionLevel>> {
  const entries = await Promise.all(logins.map(async (login) => [login, await fetchPermission(github, repo, login)] as const));
  return new Map(entries);
}
