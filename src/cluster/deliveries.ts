import { coordination } from "./coordination.js";
import { tracked } from "./inflight.js";

/** How long a delivery is remembered as done: GitHub redelivers on request, within days. */
const KEEP_MS = 3 * 24 * 3600_000;
/** A replica that dies while handling a delivery lets a redelivery through after this. */
const LEASE_MS = 5 * 60_000;

/**
 * Handle a webhook delivery once across the replicas, by its `X-GitHub-Delivery` id: the same
 * delivery sent to two replicas at once (a retry after a timeout, a load balancer's retry) is
 * handled by the first, and the second answers without a request. Work that fails is given back,
 * so that GitHub's redelivery is handled. In one process nothing is remembered (see
 * InProcessCoordination.claim): a duplicate is handled again, which writes nothing.
 */
const running = new Set<string>();

/**
 * A stop that cannot wait any longer gives the deliveries still running back: a redelivery of one
 * is then handled at once instead of waiting out the claim's lease.
 */
export async function handBackDeliveries(): Promise<number> {
  const keys = [...running];
  await Promise.all(keys.map((key) => coordination().unclaim(key).catch(() => undefined)));
  return keys.length;
}

export function oncePerDelivery(id: string, work: () => Promise<void>, log: { info: (msg: string) => void }): Promise<void> {
  return tracked(
    (async () => {
      const c = coordination();
      const key = `delivery:${id}`;
      if (!(await c.claim(key, LEASE_MS))) {
        log.info(`incident-desk: delivery ${id} is handled by another replica`);
        return;
      }
      running.add(key);
      try {
        await work();
      } catch (error) {
        await c.unclaim(key).catch(() => undefined);
        throw error;
      } finally {
        running.delete(key);
      }
      await c.done(key, KEEP_MS).catch(() => undefined);
    })(),
  );
}
