import { coordination } from "./cluster/coordination.js";

/**
 * One at a time per key: deliveries for the same issue are handled in turn, so two of them never
 * both find "no card yet" and both write one. In one process this is an in-memory queue; with
 * REDIS_URL it is a lock shared by the replicas, with a lease (src/cluster/redis.ts) so that a
 * replica that dies holding it blocks the issue for at most that long.
 */
export async function serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
  return coordination().lock(key, work);
}
