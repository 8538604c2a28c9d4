import type { GitHubSim } from "../test/sim/index.js";

/**
 * The simulator's own share of a run: wraps its request handler and returns a reader of the
 * milliseconds spent answering so far (wall − that ≈ the code under test plus the network).
 */
export function timeSimulator(sim: GitHubSim): () => number {
  let simMs = 0;
  const handle = sim.handle.bind(sim);
  sim.handle = async (req) => {
    const t = performance.now();
    try {
      return await handle(req);
    } finally {
      simMs += performance.now() - t;
    }
  };
  return () => simMs;
}
