/**
 * Credentials that people paste into incident threads (a token in a log excerpt, a curl line with
 * its Authorization header, a connection string) must not be copied into anything incident-desk
 * generates: the post-mortem and its pull request and commit, problem tickets, reports, job
 * summaries, notifications. Everything generated from people's text passes through `redact()`.
 *
 * Why our own table rather than running a scanner's rules: secretlint's recommended preset
 * (`@secretlint/secretlint-rule-preset-recommend`) is the maintained rule set we measure against
 * (test/redact.test.ts runs it over what redact() leaves and expects it to find nothing), but its
 * rules cannot be run on hostile text as they are: several scan a long bounded run from every
 * prefix inside another token's run (`ghs_1_0ghs_1_0…` costs its GitHub rule 476 ms a megabyte,
 * `SG.a.…` its SendGrid rule 383 ms), and it has no rule for JWTs, Google API keys, Azure account
 * keys, Authorization headers, `password=` assignments or credentials in any URL. gitleaks' rules
 * are RE2 (Go) expressions that count on RE2's linear engine; V8 backtracks, and its 200-odd rules
 * mean 200 passes over every document. So the formats below are the preset's and gitleaks' (the
 * token prefixes and lengths their authors documented), written so that V8 runs each in linear time:
 *
 * - a token starts only where the character before it could not be part of its body (the
 *   look-behind excludes the body's characters), so no start lies inside another's run;
 * - a body is one greedy run with a lower bound and no upper bound: it either fails within its
 *   lower bound or takes the whole run, and a taken run is never scanned again;
 * - no two adjacent quantifiers can share characters.
 *
 * Private key blocks are cut by a small scanner (no regular expression spans lines): a block with
 * no END line ends where its key material ends, not at the end of the document.
 */
export const REDACTED = "[redacted]";

interface Rule {
  /** What it finds, for people and for the test that shows each kind redacted. */
  kind: string;
  /**
   * Global; the named group `keep`, when present, is what precedes the secret: it stays before
   * `[redacted]` so the line still reads (`password=[redacted]`).
   */
  pattern: RegExp;
}

// Characters of a token's body: a token never starts right after one of them.
const B64URL = "A-Za-z0-9_\\-";

/** Tokens known by their prefix (each source starts with a letter): the secret is the whole token. */
const TOKENS: [kind: string, source: string][] = [
  // GitHub (secretlint-rule-github): classic and fine-grained personal tokens, OAuth, user-to-server,
  // refresh, installation tokens, and the installation tokens of the newer `ghs_<app id>_<JWT>` format.
  ["GitHub token (ghs_ with app id)", `ghs_[0-9]+_[A-Za-z0-9_.\\-]{20,}`],
  ["GitHub token", `gh[pousr]_[A-Za-z0-9_]{36,}`],
  ["GitHub fine-grained token", `github_pat_[A-Za-z0-9_]{22,}`],
  // GitLab (secretlint-rule-gitlab, gitleaks): personal, deploy, runner, trigger, feed, OAuth and agent tokens.
  ["GitLab token", `gl(?:pat|dt|rt|ptt|ft|soat|cbt|imt|oas|agent)-[A-Za-z0-9_\\-]{20,}`],
  // AWS (secretlint-rule-aws): access key ids; secret keys are caught as assignments below.
  ["AWS access key id", `A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|3T[A-Z0-9])[A-Z0-9]{16}(?![${B64URL}])`],
  // Google (gitleaks gcp-api-key): API keys, OAuth client secrets and access tokens.
  ["Google API key", `AIza[A-Za-z0-9_\\-]{35}(?![${B64URL}])`],
  ["Google OAuth client secret", `GOCSPX-[A-Za-z0-9_\\-]{28,}`],
  ["Google OAuth access token", `ya29\\.[A-Za-z0-9_\\-]{20,}`],
  // Slack (secretlint-rule-slack): bot, user, app, configuration and refresh tokens.
  ["Slack token", `xox[abposre]-[A-Za-z0-9\\-]{10,}`],
  ["Slack app token", `xapp-[0-9]-[A-Za-z0-9\\-]{10,}`],
  // npm (secretlint-rule-npm) and PyPI (gitleaks pypi-upload-token).
  ["npm token", `npm_[A-Za-z0-9]{36,}`],
  ["PyPI token", `pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,}`],
  // Stripe (secretlint-rule-stripe): live and test secret and restricted keys, webhook secrets.
  ["Stripe secret key", `sk_(?:live|test)_[A-Za-z0-9]{10,}`],
  ["Stripe restricted key", `rk_(?:live|test)_[A-Za-z0-9]{10,}`],
  ["Stripe webhook secret", `whsec_[A-Za-z0-9]{20,}`],
  // OpenAI and Anthropic (secretlint-rule-openai, -anthropic): project, service account, admin and
  // legacy keys; a bare `sk-` needs a long run without hyphens, so `sk-some-slug` is left alone.
  ["OpenAI/Anthropic key", `sk-(?:proj|svcacct|admin|ant-(?:api|admin)[0-9]{2})-[A-Za-z0-9_\\-]{20,}`],
  ["OpenAI-style key", `sk-[A-Za-z0-9]{32,}`],
  // The rest of secretlint's recommended preset.
  ["SendGrid key", `SG\\.[A-Za-z0-9_\\-]{16,}\\.[A-Za-z0-9_\\-]{16,}`],
  ["Shopify token", `shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{32,}`],
  ["Grafana token", `gl(?:c_[A-Za-z0-9+/]{32,}={0,2}|sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})`],
  ["Groq key", `gsk_[A-Za-z0-9]{48,}`],
  ["Hugging Face token", `hf_[A-Za-z]{30,}`],
  ["Linear key", `lin_api_[A-Za-z0-9]{32,}`],
  ["Notion token", `ntn_[0-9]{11}[A-Za-z0-9]{35,}`],
  ["1Password service account token", `ops_ey[A-Za-z0-9+/=]{100,}`],
  ["HashiCorp Vault token", `hv[sbr]\\.[A-Za-z0-9_\\-]{90,}`],
  ["Vercel token", `vc[pirak]_[A-Za-z0-9]{20,}`],
  ["Databricks token", `dapi[a-f0-9]{32}(?:-[0-9])?(?![${B64URL}])`],
  ["Docker Hub token", `dckr_pat_[A-Za-z0-9_\\-]{27,}`],
  ["Figma token", `figd_[A-Za-z0-9_\\-]{40,}`],
  ["Cloudflare token", `cf(?:k|ut|at)_[A-Za-z0-9]{40,}`],
  ["Tailscale key", `tskey-[a-z]+-[A-Za-z0-9\\-]{10,}`],
  ["Atlassian token", `ATATT3[A-Za-z0-9_\\-=]{100,}`],
  // JSON Web Tokens: header and payload are base64url JSON objects (`{"` is `eyJ`).
  ["JSON Web Token", `eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]*`],
];

/** Words that name a secret in `key = value`, `key: value`, `"key": "value"`, `key=>value`. */
const SECRET_KEYS = [
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "client[-_]?secret",
  "secret[-_]?(?:access[-_]?)?key",
  "api[-_]?(?:key|token|secret)",
  "access[-_]?token",
  "auth[-_]?token",
  "refresh[-_]?token",
  "private[-_]?key",
  "account[-_]?key",
  "shared[-_]?access[-_]?key",
].join("|");
// `token` and `sig` (an Azure SAS signature) are common words: only `token=…` and `sig=…` count.
const ASSIGNMENT = `(?:(?:${SECRET_KEYS})["']?[ \\t]*(?::=|=>|=|:)|(?:token|sig)=)[ \\t]*`;

const CONTEXT_RULES: Rule[] = [
  // `scheme://user:password@host`, whatever the scheme (https, postgres, mongodb+srv, redis, amqp…):
  // the password goes, the user and host stay. The user part cannot hold `:` or `/`, so a start
  // never scans past the next `://`.
  { kind: "URL credentials", pattern: /(?<keep>:(?<=[A-Za-z0-9]:)\/\/[^\s:/?#@"'<>[\]]*:)[^\s/?#@"'<>]+(?=@)/g },
  // Webhook URLs are credentials on their own.
  { kind: "Slack webhook", pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g },
  { kind: "Discord webhook", pattern: /https:\/\/(?:[a-z]+\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]+\/[A-Za-z0-9_-]+/g },
  { kind: "Microsoft Teams webhook", pattern: /https:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.webhook\.office\.com\/[^\s"'<>)]+/g },
  // `Authorization: Basic …`, `Authorization: token …`, `"authorization": "Bearer …"`: the scheme stays.
  {
    kind: "Authorization header",
    pattern: /\b(?<keep>Authorization["']?[ \t]*[:=][ \t]*["']?(?:[A-Za-z][A-Za-z0-9-]*[ \t]+)?)[^\s"'<>]+/gi,
  },
  { kind: "cookie header", pattern: /\b(?<keep>(?:Set-)?Cookie[ \t]*:[ \t]*)[^\r\n]+/gi },
  { kind: "bearer token", pattern: /\b(?<keep>Bearer[ \t]+)[A-Za-z0-9\-._~+/]{12,}=*/gi },
  // `curl -u user:password`.
  { kind: "curl user", pattern: /(?<![^\s])(?<keep>(?:-u|--user)[ \t=]+["']?[^\s:"']+:)[^\s"']+/g },
  // Assignments: a quoted value (spaces and all) up to its closing quote, or a bare one up to a
  // space, quote or separator of connection strings (`;`) and query strings (`&`).
  { kind: "quoted secret assignment", pattern: new RegExp(`(?<keep>${ASSIGNMENT}(?<q>["']))[^"'\\r\\n]+(?=\\k<q>)`, "gi") },
  { kind: "secret assignment", pattern: new RegExp(`(?<keep>${ASSIGNMENT})[^\\s"'<>,;&]+`, "gi") },
];

// One pass for all of them. Each alternative starts with its first letter, then looks behind it
// (`(?<![…].)`: the character before that letter is not a body character), so that V8 tries
// only the positions holding one of those letters instead of checking a look-behind everywhere.
const TOKEN_RULE: Rule = {
  kind: "token",
  pattern: new RegExp(TOKENS.map(([, source]) => `${source[0]}(?<![${B64URL}].)${source.slice(1)}`).join("|"), "g"),
};

const RULES: Rule[] = [...CONTEXT_RULES, TOKEN_RULE];

/** Every kind of credential redact() knows (the test shows each one redacted). */
export const CREDENTIAL_KINDS: readonly string[] = ["private key block", ...CONTEXT_RULES.map((r) => r.kind), ...TOKENS.map(([kind]) => kind)];

export function redact(text: string): string {
  let out = redactPrivateKeys(text);
  // A replacement string rather than a function: `$<keep>` is the kept group (empty when it did not take part).
  for (const { pattern } of RULES) out = out.replace(pattern, pattern.source.includes("(?<keep>") ? `$<keep>${REDACTED}` : REDACTED);
  return out;
}

// ---- private key blocks -----------------------------------------------------------------------

// RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP's "PRIVATE KEY BLOCK", or none.
const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /^-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/;
const isBase64Char = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
const ARMOR_HEADER = /^[A-Za-z][A-Za-z0-9-]{0,40}: /;

/** `[a, b)` of `text` without leading blanks and quote marks (`> `) and trailing blanks. */
function trimmedLine(text: string, a: number, b: number): string {
  while (a < b && (text[a] === " " || text[a] === "\t" || text[a] === ">")) a++;
  while (b > a && (text[b - 1] === " " || text[b - 1] === "\t" || text[b - 1] === "\r")) b--;
  return text.slice(a, b);
}

const isBase64Line = (line: string) => {
  for (let i = 0; i < line.length; i++) if (!isBase64Char(line.charCodeAt(i))) return false;
  return line.length > 0;
};

/** The end of the run of base64 characters and `\n` escapes that starts at `i`. */
function base64Run(text: string, i: number): number {
  while (i < text.length) {
    if (isBase64Char(text.charCodeAt(i))) i++;
    else if (text[i] === "\\" && (text[i + 1] === "n" || text[i + 1] === "r")) i += 2;
    else break;
  }
  return i;
}

/** Where an END line that starts at `i` ends, if one does. */
function endMarkerAt(text: string, i: number): number | undefined {
  const end = KEY_END.exec(text.slice(i, i + 80));
  return end ? i + end[0].length : undefined;
}

/**
 * Where a key block that starts its body at `from` ends. The body is the key material on the BEGIN
 * line itself (a key pasted from JSON with `\n` escapes, or a table cell where line breaks became
 * spaces) or the lines below it: base64 lines, armor headers (`Proc-Type:`, `Version:`) and the
 * blank line that follows them, up to the END line. With no END line the block ends with its last
 * line of key material.
 */
function keyBlockEnd(text: string, from: number): number {
  let i = base64Run(text, from);
  // On the BEGIN line, words after a blank count as key material when they look like key lines
  // (long, or base64's closing `=`), or when an END marker follows them: "was pasted" does not.
  for (;;) {
    const closed = endMarkerAt(text, i);
    if (closed !== undefined) return closed;
    let k = i;
    while (text[k] === " " || text[k] === "\t") k++;
    if (k === i) break;
    const closedAfterBlank = endMarkerAt(text, k);
    if (closedAfterBlank !== undefined) return closedAfterBlank;
    const w = base64Run(text, k);
    const looksLikeKey = w - k >= 20 || (w > k && text[w - 1] === "=");
    let after = w;
    while (text[after] === " " || text[after] === "\t") after++;
    if (!looksLikeKey && (w === k || endMarkerAt(text, after) === undefined)) break;
    i = w;
  }
  let lineEnd = text.indexOf("\n", i);
  if (lineEnd === -1) lineEnd = text.length;
  // Something else follows on the BEGIN line: the block is what came before it.
  if (trimmedLine(text, i, lineEnd) !== "") return i;

  let end = i;
  let sawBody = false;
  let blankBeforeBody = false;
  let start = lineEnd + 1;
  while (start <= text.length && lineEnd < text.length) {
    let stop = text.indexOf("\n", start);
    if (stop === -1) stop = text.length;
    const line = trimmedLine(text, start, stop);
    const endLine = KEY_END.exec(line);
    if (endLine) return text.indexOf(endLine[0], start) + endLine[0].length;
    if (isBase64Line(line)) {
      sawBody = true;
      end = stop;
    } else if (!sawBody && !blankBeforeBody && ARMOR_HEADER.test(line)) {
      end = stop;
    } else if (!sawBody && !blankBeforeBody && line === "") {
      // PGP's armor puts a blank line before the body (after its headers, if any); only the
      // lines of key material after it belong to the block.
      blankBeforeBody = true;
    } else {
      break;
    }
    lineEnd = stop;
    start = stop + 1;
  }
  return end;
}

function redactPrivateKeys(text: string): string {
  if (!text.includes("PRIVATE KEY")) return text;
  let out = "";
  let last = 0;
  KEY_BEGIN.lastIndex = 0;
  for (let m = KEY_BEGIN.exec(text); m; m = KEY_BEGIN.exec(text)) {
    const end = keyBlockEnd(text, m.index + m[0].length);
    out += `${text.slice(last, m.index)}${REDACTED}`;
    last = end;
    KEY_BEGIN.lastIndex = end;
  }
  return out + text.slice(last);
}
