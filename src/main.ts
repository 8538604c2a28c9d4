/**
 * The hosted app: `npm start`. Probot reads APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST, REDIS_URL, PORT and LOG_LEVEL from the environment; with no
 * credentials it serves its setup page, which registers the app from app.yml.
 */
import { run } from "probot";
import incidentDesk from "./app.js";
import { incidentOctokit } from "./github/octokit.js";

await run(incidentDesk, { Octokit: incidentOctokit() });
