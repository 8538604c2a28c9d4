/**
 * Work this process has started and not finished: webhook handlers (which may go on after their
 * `202`) and alert groups. A graceful stop (src/main.ts) waits for it before closing.
 */
const running = new Set<Promise<unknown>>();

export function tracked<T>(work: Promise<T>): Promise<T> {
  running.add(work);
  const forget = () => running.delete(work);
  work.then(forget, forget);
  return work;
}

export function inflight(): number {
  return running.size;
}

/** Resolves true when nothing runs any more, false when `timeoutMs` passed first. */
export async function drained(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (running.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
  return true;
}

let stopping = false;

/** The replica is stopping: /healthz says so, so that the load balancer sends traffic elsewhere. */
export function stopTakingWork(): void {
  stopping = true;
}

export function isStopping(): boolean {
  return stopping;
}
