/**
 * The coordination replicas share, against a real Redis (Debian's redis-server, started here):
 * two RedisCoordination instances stand for two replicas.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessCoordination } from "../src/cluster/coordination.js";
import { DegradingCoordination } from "../src/cluster/degrading.js";
import { RedisCoordination } from "../src/cluster/redis.js";
import { startRedis, type RedisServer } from "./redis.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function replicas(n: number, leaseMs = 30_000): Promise<RedisCoordination[]> {
  const prefix = `t${Math.random().toString(36).slice(2)}:`;
  const all = Array.from({ length: n }, () => new RedisCoordination(redis.url, { prefix, leaseMs }));
  await Promise.all(all.map((c) => c.connect()));
  return all;
}
const closeAll = (cs: { close(): Promise<void> }[]) => Promise.all(cs.map((c) => c.close()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Redis coordination: what two replicas share", () => {
  it("locks an issue across replicas: one holder at a time, the waiter goes when it is released", async () => {
    const [a, b] = await replicas(2);
    const log: string[] = [];
    const work = (who: string) => async () => {
      log.push(`${who} in`);
      await sleep(30);
      log.push(`${who} out`);
      return who;
    };
    const results = await Promise.all([a!.lock("acme/web#1", work("a1")), b!.lock("acme/web#1", work("b1")), a!.lock("acme/web#1", work("a2")), b!.lock("acme/web#2", work("other"))]);
    expect(results).toEqual(["a1", "b1", "a2", "other"]);
    // Holders of acme/web#1 never overlap; acme/web#2 did not wait for them.
    const one = log.filter((l) => !l.startsWith("other"));
    for (let i = 0; i < one.length; i += 2) expect(one[i]!.split(" ")[0]).toBe(one[i + 1]!.split(" ")[0]);
    expect(log.indexOf("other in")).toBeLessThan(log.indexOf("a2 in"));
    await closeAll([a!, b!]);
  });

  it("a lock whose holder died is free once its lease ran out", async () => {
    const [a, b] = await replicas(2, 1_000);
    const raw = new Redis(redis.url);
    // A replica took the lock and was killed: the key stays until its lease ends, no one releases it.
    const keys = await (async () => {
      let held: string | undefined;
      await a!.lock("acme/web#9", async () => {
        held = (await raw.keys("*lock:acme/web#9"))[0];
      });
      return held!;
    })();
    await raw.set(keys, "dead-replica", "PX", 400);
    let ran = false;
    await b!.lock("acme/web#9", async () => void (ran = true));
    expect(ran).toBe(true);
    expect(await raw.exists(keys)).toBe(0);
    raw.disconnect();
    await closeAll([a!, b!]);
  });

  it("spaces one installation's writes across replicas and keeps another installation's apart", async () => {
    const [a, b] = await replicas(2);
    const starts: number[] = [];
    const ends: number[] = [];
    const write = async () => {
      starts.push(performance.now());
      await sleep(5);
      ends.push(performance.now());
    };
    await Promise.all([a!.gate("write 1", 100, write, { pauseKey: "1" }), b!.gate("write 1", 100, write, { pauseKey: "1" }), a!.gate("write 1", 100, write, { pauseKey: "1" })]);
    starts.sort((x, y) => x - y);
    ends.sort((x, y) => x - y);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(95);
    await closeAll([a!, b!]);
  });

  it("shares a rate limit's wait: a pause set by one replica holds the other's gate", async () => {
    const [a, b] = await replicas(2);
    await a!.pause("installation 7", 300);
    expect(await b!.pausedFor("installation 7")).toBeGreaterThan(200);
    expect(await b!.pausedFor("installation 8")).toBe(0);
    const t = performance.now();
    await b!.gate("write installation 7", 0, async () => undefined, { pauseKey: "installation 7" });
    expect(performance.now() - t).toBeGreaterThanOrEqual(200);
    await closeAll([a!, b!]);
  });

  it("claims a delivery once; a failed one is given back; a done one stays claimed", async () => {
    const [a, b] = await replicas(2);
    expect(await a!.claim("delivery:1", 10_000)).toBe(true);
    expect(await b!.claim("delivery:1", 10_000)).toBe(false);
    await a!.unclaim("delivery:1");
    expect(await b!.claim("delivery:1", 10_000)).toBe(true);
    await b!.done("delivery:1", 10_000);
    await a!.unclaim("delivery:1");
    expect(await a!.claim("delivery:1", 10_000)).toBe(false);
    await closeAll([a!, b!]);
  });

  it("shares memory and the content budget", async () => {
    const [a, b] = await replicas(2);
    await a!.set("alert-incident:acme/web:g1", "12", 10_000);
    expect(await b!.get("alert-incident:acme/web:g1")).toBe("12");
    const windows = [{ ms: 60_000, limit: 3 }];
    expect(await a!.spend("content installation 1", windows)).toEqual({ ok: true });
    expect(await b!.spend("content installation 1", windows)).toEqual({ ok: true });
    expect(await a!.spend("content installation 1", windows)).toEqual({ ok: true });
    const refused = await b!.spend("content installation 1", windows);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.waitMs).toBeGreaterThan(55_000);
    expect(await b!.spend("content installation 2", windows)).toEqual({ ok: true });
    await closeAll([a!, b!]);
  });
});

describe("Redis going away mid-run", () => {
  it("is logged, the replica keeps working in memory, and it goes back to Redis when Redis returns", async () => {
    const own = await startRedis();
    const logs: string[] = [];
    const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
    const inner = new RedisCoordination(own.url);
    const c = new DegradingCoordination(inner, log);
    await inner.connect();
    expect(await c.lock("k", async () => "via redis")).toBe("via redis");
    expect((await c.health()).ok).toBe(true);

    await own.down();
    await sleep(50);
    expect(await c.lock("k", async () => "in memory")).toBe("in memory");
    expect(await c.gate("write 1", 0, async () => "gate in memory", { pauseKey: "1" })).toBe("gate in memory");
    expect(await c.claim("delivery:x", 1000)).toBe(true);
    await c.set("m", "v", 10_000);
    expect(await c.get("m")).toBe("v");
    expect(await c.health()).toMatchObject({ ok: false, mode: "redis unreachable (in-process meanwhile)" });
    expect(logs.filter((l) => l.startsWith("error") && l.includes("Redis unreachable"))).toHaveLength(1);

    await own.up();
    for (let i = 0; i < 100 && !c.shared; i++) await sleep(50);
    expect(c.shared).toBe(true);
    expect(logs.some((l) => l.startsWith("info") && l.includes("reachable again"))).toBe(true);
    expect(await c.lock("k", async () => "redis again")).toBe("redis again");
    await c.close();
    await own.stop();
  });

  it("in one process, nothing is shared and nothing needs Redis", async () => {
    const c = new InProcessCoordination();
    expect(c.shared).toBe(false);
    expect(await c.claim()).toBe(true);
    expect(await c.claim()).toBe(true);
    expect(await c.health()).toEqual({ ok: true, mode: "in-process" });
  });
});
