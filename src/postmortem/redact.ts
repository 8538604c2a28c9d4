/**
 * Credentials that people paste into incident threads (a token in a log excerpt, a curl line with
 * its Authorization header) must not be copied into a document that lives in the repository
 * forever. Everything generated from the history passes through `redact()`.
 */
export const REDACTED = "[redacted]";

const PATTERNS: { name: string; pattern: RegExp; keep?: (match: string, ...groups: string[]) => string }[] = [
  // Whole PEM blocks, whatever the key type (RSA, EC, OPENSSH, ENCRYPTED, PGP's "PRIVATE KEY BLOCK").
  { name: "private key", pattern: /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g },
  // GitHub: classic and fine-grained personal tokens, OAuth, app installation, refresh and user-to-server tokens.
  { name: "GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  // AWS access key ids, and secret keys where they are named as such.
  { name: "AWS access key", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}\b/g },
  {
    name: "AWS secret key",
    pattern: /(aws_?secret_?(?:access_?)?key\s*["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b/gi,
    keep: (_match, prefix) => `${prefix}${REDACTED}`,
  },
  // Slack: bot, user, app and configuration tokens, and incoming-webhook URLs.
  { name: "Slack token", pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { name: "Slack token", pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  { name: "Slack webhook", pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g },
  // `Authorization: Bearer …` and bare `Bearer …` (keeps the word so the line still reads).
  {
    name: "bearer token",
    pattern: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]{12,}=*/gi,
    keep: (_match, prefix) => `${prefix}${REDACTED}`,
  },
];

export function redact(text: string): string {
  let out = text;
  for (const { pattern, keep } of PATTERNS) {
    out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
      if (!keep) return REDACTED;
      const groups = rest.filter((r): r is string => typeof r === "string");
      return keep(match, ...groups);
    });
  }
  return out;
}

/** Which kinds of credential a text holds (for the run's log: it never prints the values). */
export function credentialKinds(text: string): string[] {
  const kinds = new Set<string>();
  for (const { name, pattern } of PATTERNS) {
    pattern.lastIndex = 0;
    if (new RegExp(pattern.source, pattern.flags.replace("g", "")).test(text)) kinds.add(name);
  }
  return [...kinds];
}
