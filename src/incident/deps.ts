import type { Config } from "../config/schema.js";
import type { GitHub } from "../github/client.js";
import type { Logger } from "../log.js";
import type { ProblemView } from "./types.js";

/** What the incident pipeline needs from its caller. */
export interface IncidentDeps {
  github: GitHub;
  log: Logger;
  configPath?: string;
  /** The repository's configuration when the caller has just read it (an alert, a dispatch): saves reading it again. */
  config?: Config;
  /** A problem's new view, pushed to its linked incidents' cards (src/problems/handle.ts). */
  problemView?: ProblemView;
  /** A problem that stopped being one (its label removed): its linked incidents read it again (src/problems/handle.ts). */
  problemGone?: number;
}
