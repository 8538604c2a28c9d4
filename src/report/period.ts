import { DURATION_PATTERN, parseDuration } from "../time/duration.js";

/**
 * The report's period: from the input `since` to now. `since` is an ISO 8601 date or date-time
 * (`2026-01-01`, `2026-01-01T09:00:00Z`), or a duration back from now (`30d`, `12w`, `36h`).
 * A date without a time means its midnight UTC.
 */
export interface Period {
  from: string;
  to: string;
}

export const DEFAULT_SINCE = "30d";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export class PeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PeriodError";
  }
}

export function parsePeriod(since: string | undefined, now: Date): Period {
  const text = (since ?? "").trim() || DEFAULT_SINCE;
  const to = now.getTime();
  let from: number;
  if (DURATION_PATTERN.test(text)) {
    from = to - parseDuration(text);
  } else if (ISO_DATE.test(text) || ISO_DATE_TIME.test(text)) {
    from = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(from)) throw new PeriodError(`input \`since\` "${text}" is not a real date`);
  } else {
    throw new PeriodError(
      `input \`since\` "${text}" is neither an ISO 8601 date (2026-01-01, 2026-01-01T09:00:00Z) nor a duration back from now (30d, 12w, 36h)`,
    );
  }
  if (from >= to) throw new PeriodError(`input \`since\` "${text}" is not in the past: the period would be empty`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
