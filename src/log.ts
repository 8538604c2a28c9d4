/** What every handler logs with: Probot's logger in the app, @actions/core in the Action. */
export interface Logger {
  info: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
}
