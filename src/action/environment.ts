import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * What the Actions runner tells a step about its run, from the environment. Validated once, so a
 * missing variable is one clear line rather than an undefined deep inside.
 */
const environmentSchema = z.object({
  GITHUB_REPOSITORY: z
    .string({ error: "GITHUB_REPOSITORY is not set: run this as a step of a GitHub Actions workflow (or set it, as in .env.example)" })
    .regex(/^[^/\s]+\/[^/\s]+$/, { message: "GITHUB_REPOSITORY must be owner/name" }),
  GITHUB_EVENT_NAME: z.string().default("workflow_dispatch"),
  GITHUB_EVENT_PATH: z.string().optional(),
  GITHUB_RUN_ID: z.string().optional(),
  GITHUB_API_URL: z.string().url({ message: "GITHUB_API_URL must be a URL such as https://api.github.com" }).default("https://api.github.com"),
});

export type RunnerEnvironment = z.output<typeof environmentSchema> & { payload: Record<string, unknown> };

export function readEnvironment(env: NodeJS.ProcessEnv): RunnerEnvironment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) throw new Error(result.error.issues[0]!.message);
  const parsed = result.data;
  let payload: Record<string, unknown> = {};
  if (parsed.GITHUB_EVENT_PATH) {
    try {
      const data: unknown = JSON.parse(readFileSync(parsed.GITHUB_EVENT_PATH, "utf8"));
      if (typeof data === "object" && data !== null) payload = data as Record<string, unknown>;
    } catch (error) {
      throw new Error(`cannot read the event at GITHUB_EVENT_PATH (${parsed.GITHUB_EVENT_PATH}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return { ...parsed, payload };
}

/** The issue the triggering event is about, if any (an issue, a comment on one). */
export function eventIssue(payload: Record<string, unknown>): number | undefined {
  const issue = payload.issue;
  if (typeof issue === "object" && issue !== null && typeof (issue as { number?: unknown }).number === "number") {
    return (issue as { number: number }).number;
  }
  return undefined;
}
