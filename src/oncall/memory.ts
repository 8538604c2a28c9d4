import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/**
 * What the scheduled `escalate` saw last time, so that the next run reads only what changed or
 * falls due (src/oncall/escalate.ts). A cache, never the truth: lost, corrupt, from another
 * repository or another configuration, it is ignored and the run reads every open incident.
 *
 * Kept in a file of the workspace (input `state-file`) that the workflow carries from one run to
 * the next with `actions/cache` (see the README): no request to GitHub, no branch, no database.
 */
export const escalateMemorySchema = z.object({
  v: z.literal(1),
  repo: z.string(),
  /** Digest of the configuration the due times were computed with. */
  config: z.string(),
  /** When the last run began (its `now`). */
  lookedAt: z.iso.datetime(),
  /** Open incidents → when something next falls due (null: nothing without a change). */
  incidents: z.record(z.string().regex(/^\d+$/), z.object({ due: z.iso.datetime().nullable() })),
});

export type EscalateMemory = z.infer<typeof escalateMemorySchema>;

export interface EscalateMemoryStore {
  load(): Promise<EscalateMemory | undefined>;
  save(memory: EscalateMemory): Promise<void>;
}

export function fileMemory(path: string, log: { warn: (msg: string) => void }): EscalateMemoryStore {
  return {
    async load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
      try {
        const parsed = escalateMemorySchema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
        log.warn(`incident-desk: ${path} is not a memory of escalate (${parsed.error.issues[0]?.message}): every open incident is read`);
      } catch {
        log.warn(`incident-desk: ${path} is not JSON: every open incident is read`);
      }
      return undefined;
    },
    async save(memory) {
      mkdirSync(dirname(path), { recursive: true });
      // Whole or not at all: a run cut short leaves the previous memory.
      writeFileSync(`${path}.tmp`, JSON.stringify(memory));
      renameSync(`${path}.tmp`, path);
    },
  };
}
