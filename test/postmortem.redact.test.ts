import { generateKeyPairSync } from "node:crypto";
import { rules as secretlintRules } from "@secretlint/secretlint-rule-preset-recommend";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_KINDS, redact } from "../src/postmortem/redact.js";

/**
 * redact(): every kind of credential it knows, shown redacted in context; key blocks with and
 * without their END line; prose it must leave alone; secretlint's recommended preset as the
 * outside judge of what it leaves; and a generous bound on hostile megabytes (the real figures
 * are in the report and `npm run bench`).
 *
 * The secrets are built at run time so that this file holds none a scanner would flag.
 */
const r = (n: number, s = "a") => s.repeat(n);
const B64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk";

/** One sample per kind: [text, what redact() makes of it]. */
const SAMPLES: Record<string, [string, string]> = {
  "private key block": [`a\n-----BEGIN OPENSSH PRIVATE KEY-----\n${B64}\n${B64}\n-----END OPENSSH PRIVATE KEY-----\nz`, "a\n[redacted]\nz"],
  "URL credentials": ["clone https://deploy:hunter2@git.example.com/acme/web.git", "clone https://deploy:[redacted]@git.example.com/acme/web.git"],
  "Slack webhook": ["hook https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXX ok", "hook [redacted] ok"],
  "Discord webhook": ["https://discord.com/api/webhooks/123456789/abcDEF_ghi-jkl", "[redacted]"],
  "Microsoft Teams webhook": ["https://acme.webhook.office.com/webhookb2/1234-abcd@5678/IncomingWebhook/abc/def", "[redacted]"],
  "Authorization header": ['curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://x', 'curl -H "Authorization: Basic [redacted]" https://x'],
  "cookie header": ["Cookie: session=abc123; csrftoken=def456\nnext line", "Cookie: [redacted]\nnext line"],
  "bearer token": ["sent Bearer abcdefghijklmnop.qrstuv to it", "sent Bearer [redacted] to it"],
  "curl user": ["curl -u admin:s3cr3t https://x", "curl -u admin:[redacted] https://x"],
  "quoted secret assignment": ['{"password": "correct horse battery staple", "user": "bob"}', '{"password": "[redacted]", "user": "bob"}'],
  "secret assignment": ["export PGPASSWORD=hunter2 && psql", "export PGPASSWORD=[redacted] && psql"],
  "GitHub token (ghs_ with app id)": [`ghs_12345_eyJ${r(30, "x")}.eyJ${r(30, "y")}.${r(40, "z")}`, "[redacted]"],
  "GitHub token": [`token ghp_${r(36)} here`, "token [redacted] here"],
  "GitHub fine-grained token": [`github_pat_11ABCDEFG0${r(72, "x")}`, "[redacted]"],
  "GitLab token": [`glpat-${r(20, "x")}`, "[redacted]"],
  "AWS access key id": ["AKIAIOSFODNN7EXAMPLE", "[redacted]"],
  "Google API key": [`key=AIza${r(35, "b")}&q=1`, "key=[redacted]&q=1"],
  "Google OAuth client secret": [`GOCSPX-${r(28, "c")}`, "[redacted]"],
  "Google OAuth access token": [`ya29.${r(40, "d")}`, "[redacted]"],
  "Slack token": ["xoxb-123456789012-abcdefghijkl", "[redacted]"],
  "Slack app token": ["xapp-1-A0123-4567-abcdef", "[redacted]"],
  "npm token": [`//registry.npmjs.org/ npm_${r(36, "N")}`, "//registry.npmjs.org/ [redacted]"],
  "PyPI token": [`pypi-AgEIcHlwaS5vcmc${r(60, "p")}`, "[redacted]"],
  "Stripe secret key": [`sk_live_${r(24, "s")}`, "[redacted]"],
  "Stripe restricted key": [`rk_test_${r(24, "s")}`, "[redacted]"],
  "Stripe webhook secret": [`whsec_${r(32, "w")}`, "[redacted]"],
  "OpenAI/Anthropic key": [`sk-proj-${r(40, "o")}-${r(20, "O")}`, "[redacted]"],
  "OpenAI-style key": [`sk-${r(48, "k")}`, "[redacted]"],
  "SendGrid key": [`SG.${r(22, "g")}.${r(43, "G")}`, "[redacted]"],
  "Shopify token": [`shpat_${r(32, "f")}`, "[redacted]"],
  "Grafana token": [`glsa_${r(32, "G")}_${r(8, "f")}`, "[redacted]"],
  "Groq key": [`gsk_${r(52, "q")}`, "[redacted]"],
  "Hugging Face token": [`hf_${r(34, "h")}`, "[redacted]"],
  "Linear key": [`lin_api_${r(40, "l")}`, "[redacted]"],
  "Notion token": [`ntn_${r(11, "1")}${r(35, "n")}`, "[redacted]"],
  "1Password service account token": [`ops_ey${r(120, "J")}`, "[redacted]"],
  "HashiCorp Vault token": [`hvs.${r(95, "v")}`, "[redacted]"],
  "Vercel token": [`vcp_${r(24, "v")}`, "[redacted]"],
  "Databricks token": [`dapi${r(32, "e")}`, "[redacted]"],
  "Docker Hub token": [`dckr_pat_${r(27, "d")}`, "[redacted]"],
  "Figma token": [`figd_${r(40, "f")}`, "[redacted]"],
  "Cloudflare token": [`cfut_${r(48, "c")}`, "[redacted]"],
  "Tailscale key": [`tskey-auth-${r(30, "t")}`, "[redacted]"],
  "Atlassian token": [`ATATT3${r(120, "x")}`, "[redacted]"],
  "JSON Web Token": [`jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${r(43, "S")} end`, "jwt [redacted] end"],
};

describe("redact: every kind it knows", () => {
  it("has a sample for each kind, and no sample for a kind it does not know", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...CREDENTIAL_KINDS].sort());
  });

  it.each(Object.entries(SAMPLES))("%s", (_kind, [text, expected]) => {
    expect(redact(text)).toBe(expected);
    expect(redact(expected)).toBe(expected); // redacting twice changes nothing
  });

  // Issue 8's list, as people paste them.
  it.each([
    ["npm_", `NPM_TOKEN: npm_${r(36, "Z")}`, "NPM_TOKEN: [redacted]"],
    ["sk_live_", `stripe key sk_live_${r(30, "9")}.`, "stripe key [redacted]."],
    ["AIza…", `"apiKey": "AIza${r(35, "Q")}"`, '"apiKey": "[redacted]"'],
    ["JWT", `token=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY21lIn0.${r(60, "s")}`, "token=[redacted]"],
    ["scheme://user:pass@host", "redis://default:p4ss@cache:6379 and mongodb+srv://app:pw@cluster0.x.net/db", "redis://default:[redacted]@cache:6379 and mongodb+srv://app:[redacted]@cluster0.x.net/db"],
    ["Azure AccountKey=", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc+/def123==;EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[redacted];EndpointSuffix=core.windows.net"],
    ["Azure SAS signature", "https://acme.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bdef%3D&se=2026", "https://acme.blob.core.windows.net/c?sv=2022-11-02&sig=[redacted]&se=2026"],
    ["Authorization: Basic", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"],
    ["Authorization: token", `-H 'Authorization: token ghp_${r(36)}'`, "-H 'Authorization: token [redacted]'"],
    ["glpat-", `GITLAB_TOKEN=glpat-${r(20, "x")}`, "GITLAB_TOKEN=[redacted]"],
    ["sk-proj-", `OPENAI_API_KEY=sk-proj-${r(60, "y")}`, "OPENAI_API_KEY=[redacted]"],
    ["password=", "db password=hunter2; user=app", "db password=[redacted]; user=app"],
    ["password in YAML", "  password: s3cr3t!\n  user: app", "  password: [redacted]\n  user: app"],
    ["connection string", "Server=tcp:db;Database=app;User Id=app;Password=Pa55w0rd;", "Server=tcp:db;Database=app;User Id=app;Password=[redacted];"],
    ["AWS secret access key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [redacted]"],
  ])("%s", (_kind, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it("leaves ordinary prose alone", () => {
    const prose = [
      "The bearer of bad news saw ghp_short and AKIA in the docs; the key was rotated.",
      "Basic configuration was fine, the design=blue config kept its secretName: foo and token count: 3.",
      "See https://github.com/acme/web/issues/12 and http://localhost:8080/health; sk-learn-is-a-library.",
      "Authorization failed for the password reset flow; the Cookie banner was shown.",
    ].join("\n");
    expect(redact(prose)).toBe(prose);
  });
});

describe("redact: private key blocks", () => {
  const key = `-----BEGIN PRIVATE KEY-----\n${B64}\n${B64}\n-----END PRIVATE KEY-----`;

  it("a whole block, whatever the key type, and everything around it stays", () => {
    for (const type of ["", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "]) {
      const block = key.replace(/PRIVATE KEY/g, `${type}PRIVATE KEY`);
      expect(redact(`before\n${block}\nafter`)).toBe("before\n[redacted]\nafter");
    }
  });

  it("PGP armor (headers, the blank line, the checksum) and encrypted PEM headers", () => {
    const pgp = `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${B64}\n=aBcD\n-----END PGP PRIVATE KEY BLOCK-----`;
    expect(redact(`x\n${pgp}\ny`)).toBe("x\n[redacted]\ny");
    const pem = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,ABCDEF\n\n${B64}\n-----END RSA PRIVATE KEY-----`;
    expect(redact(`x\n${pem}\ny`)).toBe("x\n[redacted]\ny");
  });

  it("a key pasted in JSON (one line, \\n escapes), with and without its END", () => {
    expect(redact(`{"private_key": "-----BEGIN PRIVATE KEY-----\\n${B64}\\n${B64}\\n-----END PRIVATE KEY-----\\n", "id": 1}`)).toBe('{"private_key": "[redacted]", "id": 1}');
    expect(redact(`{"private_key": "-----BEGIN PRIVATE KEY-----\\n${B64}\\n${B64}", "id": 1}`)).toBe('{"private_key": "[redacted]", "id": 1}');
  });

  it("with no END line, only the block goes: up to the blank line or the end of the key material", () => {
    expect(redact(`a\n-----BEGIN PRIVATE KEY-----\n${B64}\n${B64}\n\nThe rest of the document.\n## Timeline\nstays`)).toBe(
      "a\n[redacted]\n\nThe rest of the document.\n## Timeline\nstays",
    );
    expect(redact(`a\n-----BEGIN PRIVATE KEY-----\n${B64}\nthen we rotated it.\nstays`)).toBe("a\n[redacted]\nthen we rotated it.\nstays");
    expect(redact(`-----BEGIN PRIVATE KEY-----\n${B64}`)).toBe("[redacted]");
    expect(redact("-----BEGIN PRIVATE KEY----- was pasted, then deleted.\nstays")).toBe("[redacted] was pasted, then deleted.\nstays");
    // A second block after an unterminated one is its own block; the text between them stays.
    expect(redact(`-----BEGIN PRIVATE KEY-----\n${B64}\n\nmiddle\n${key}\nend`)).toBe("[redacted]\n\nmiddle\n[redacted]\nend");
  });

  it("in a table cell, where line breaks became spaces", () => {
    const oneLine = key.replace(/\n/g, " ");
    expect(redact(`| 10:20 | Leaked ${oneLine} in a log | @bob |`)).toBe("| 10:20 | Leaked [redacted] in a log | @bob |");
    const unterminated = `-----BEGIN PRIVATE KEY----- ${B64} ${B64} Ag==`;
    expect(redact(`| 10:20 | ${unterminated} was pasted | @bob |`)).toBe("| 10:20 | [redacted] was pasted | @bob |");
  });

  it("quoted in Markdown", () => {
    expect(redact(`> -----BEGIN PRIVATE KEY-----\n> ${B64}\n> -----END PRIVATE KEY-----\n\nafter`)).toBe("> [redacted]\n\nafter");
  });
});

// ---- secretlint's recommended preset as the judge --------------------------------------------

interface SecretlintRule {
  meta: { id: string; type: string };
  create(context: unknown, options: unknown): { file?: (source: unknown) => void };
}

/**
 * What the preset's scanners report in `text` (rule ids), driven directly, one "file" at a time.
 * A finding that holds our placeholder (`postgres://app:[redacted]@db` still has the shape of a
 * connection string with a password) is not a leak.
 */
function secretlint(text: string): string[] {
  const found: string[] = [];
  for (const rule of secretlintRules as unknown as SecretlintRule[]) {
    // The comment filter lets a text switch scanning off (`secretlint-disable`): not for a judge.
    if (rule.meta.type !== "scanner" || rule.meta.id.endsWith("filter-comments")) continue;
    const report = ({ range }: { range: [number, number] }) => {
      if (!text.slice(range[0], range[1]).includes("[redacted]")) found.push(rule.meta.id);
    };
    const context = { report, createTranslator: () => () => "", ignore: () => undefined };
    rule.create(context, {}).file?.({ content: text, filePath: "incident.md", ext: ".md", contentType: "text" });
  }
  return found;
}

describe("redact: secretlint's recommended preset finds nothing in what it leaves", () => {
  // Shaped as each of the preset's rules expects (some check more than a prefix).
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString().trim();
  const shaped: Record<string, string> = {
    aws: "AKIAIOSFODNN7EXAMPLQ and aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ'",
    privatekey: pem,
    npm: `npm_${r(36, "x")}`,
    basicauth: "https://user:pass@example.com/path",
    slack: "xoxb-123456789012-abcdefghijkl and https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXX",
    sendgrid: `SG.${r(22, "g")}.${r(43, "G")}`,
    shopify: `shpat_${r(32, "a")}`,
    stripe: `sk_live_${r(24, "s")}`,
    github: `ghp_${r(36, "Q")}`,
    gitlab: `glpat-${r(20, "x")}`,
    grafana: `glc_${r(40, "G")}`,
    openai: `sk-proj-${r(74, "o")}T3BlbkFJ${r(74, "O")}`,
    anthropic: `sk-ant-api03-${r(93, "a")}AA`,
    groq: `gsk_${r(52, "q")}`,
    huggingface: `hf_${r(34, "h")}`,
    linear: `lin_api_${r(40, "l")}`,
    notion: `ntn_${r(11, "1")}${r(35, "n")}`,
    "database-connection-string": "postgres://app:pw@db.internal:5432/app and mongodb://root:example@mongo:27017",
    "hashicorp-vault": `hvs.${r(95, "v")}`,
    vercel: `vcp_${r(24, "v")}`,
    databricks: `dapi${r(32, "e")}`,
    docker: `dckr_pat_${r(27, "d")}`,
    figma: `figd_${r(40, "f")}`,
    cloudflare: `cfut_${r(40, "C")}${r(8, "f")}`,
  };

  it.each(Object.entries(shaped))("%s", (rule, text) => {
    const line = `Pasted during the incident: ${text}\n`;
    expect(secretlint(line)).toContain(`@secretlint/secretlint-rule-${rule}`);
    expect(secretlint(redact(line))).toEqual([]);
  });

  it("nor in all our samples together", () => {
    const corpus = [...Object.values(SAMPLES).map(([text]) => text), ...Object.values(shaped)].join("\n\n");
    expect(secretlint(corpus).length).toBeGreaterThan(20);
    expect(secretlint(redact(corpus))).toEqual([]);
  });
});

describe("redact: hostile megabytes", () => {
  const MB = 1 << 20;
  const base64 = Buffer.from(Array.from({ length: (MB * 3) / 4 }, (_, i) => (i * 7919) & 255)).toString("base64");
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length));
  const inputs: [string, string][] = [
    ["a run of a", fill("a")],
    ["-a", fill("-a")],
    ["=", fill("=")],
    ["base64", base64],
    ["BEGIN PRIVATE KEY, no END", `-----BEGIN PRIVATE KEY-----\n${base64.replace(/(.{64})/g, "$1\n")}`],
    ["BEGIN PRIVATE KEY headers", fill("-----BEGIN PRIVATE KEY-----\n")],
    ["prefixes inside a run", fill("ghs_1_0ghp_glpat-SG.a.")],
    ["URL starts", fill("a://a:")],
    ["assignments", fill("password=a\n")],
    ["open quotes", fill("pwd:'")],
    ["Authorization", fill("Authorization: ")],
    ["JWT segments", fill("eyJaaaaaaaaaa.")],
  ];

  it.each(inputs)("%s: linear (a generous bound; real figures in the benchmark)", (_name, text) => {
    const started = performance.now();
    redact(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
