// Authorization header → identity (personal tokens, installation tokens, app JWTs).
import { HttpError, type Identity } from "./http.js";
import type { State } from "./state.js";

export function identify(state: State, authorization: string | undefined, now: Date): Identity {
  if (!authorization) throw new HttpError(401, "Requires authentication");
  const m = /^(token|bearer)\s+(\S+)$/i.exec(authorization.trim());
  if (!m) throw new HttpError(401, "Bad credentials");
  const token = m[2]!;
  const parts = token.split(".");
  if (parts.length === 3 && m[1]!.toLowerCase() === "bearer") {
    let payload: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
    } catch {
      throw new HttpError(401, "A JSON web token could not be decoded");
    }
    if (String(payload.iss) !== String(state.app.id) && String(payload.iss) !== state.app.client_id) {
      throw new HttpError(401, `'Issuer' claim ('iss') must be an Integer`);
    }
    // exp is checked against real time: Probot/auth-app sign with Date.now(), independent of the sim clock
    if (typeof payload.exp === "number" && payload.exp * 1000 < Date.now() - 60_000) {
      throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future");
    }
    return { kind: "app-jwt", user: state.app.bot, login: state.app.slug, app: state.app, installationId: null };
  }
  const rec = state.tokens.get(token);
  if (!rec) throw new HttpError(401, "Bad credentials");
  // Installation tokens never expire in the sim: clients cache them by real time while tests move the sim clock.
  void now;
  const user = state.user(rec.login);
  if (!user) throw new HttpError(401, "Bad credentials");
  if (rec.installationId !== null) return { kind: "installation", user, login: user.login, app: state.app, installationId: rec.installationId };
  return { kind: "user", user, login: user.login, app: user.app ?? null, installationId: null };
}
