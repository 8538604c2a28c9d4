import { z } from "zod";
import { GITHUB_CONTENT_BUDGET } from "../github/pacing.js";

/**
 * The server's own environment (Probot reads its own: APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT,
 * GHE_HOST, LOG_LEVEL…). The pacing knobs exist for GitHub Enterprise Server, whose limits are
 * the administrator's (off by default), and for tests; on github.com keep the defaults.
 */
const milliseconds = z.coerce.number().int().min(0).max(3_600_000);
const count = z.coerce.number().int().min(1).max(1_000_000);

export const serverSettingsSchema = z.object({
  /** `redis://[:password@]host:port[/db]` (or `rediss://`): replicas share pacing, locks and de-duplication. */
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, { message: "must start with redis:// or rediss://" })
    .optional(),
  /** Milliseconds between two writes of one installation (GitHub asks for at least 1 s). */
  WRITE_SPACING_MS: milliseconds.default(1000),
  /** Milliseconds between two searches of one installation (30 a minute). */
  SEARCH_SPACING_MS: milliseconds.default(2000),
  /** GitHub's content-creation limits per installation. */
  CONTENT_PER_MINUTE: count.default(GITHUB_CONTENT_BUDGET.perMinute),
  CONTENT_PER_HOUR: count.default(GITHUB_CONTENT_BUDGET.perHour),
  /** Lease of a per-issue lock with Redis: a replica that dies blocks an issue at most this long. */
  LOCK_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How long a stop (SIGTERM) waits for work in flight before handing it back. */
  SHUTDOWN_GRACE_MS: milliseconds.default(25_000),
});

export type ServerSettings = z.infer<typeof serverSettingsSchema>;

export function readServerSettings(env: Record<string, string | undefined>): ServerSettings {
  // An empty variable means unset, as Probot treats its own.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = serverSettingsSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
}

/** The cosmetic share of the budget keeps an eighth of each window for cards and replies. */
export function contentBudget(settings: ServerSettings) {
  return {
    perMinute: settings.CONTENT_PER_MINUTE,
    perHour: settings.CONTENT_PER_HOUR,
    keepMinute: Math.ceil(settings.CONTENT_PER_MINUTE / 8),
    keepHour: Math.ceil(settings.CONTENT_PER_HOUR / 5),
  };
}
