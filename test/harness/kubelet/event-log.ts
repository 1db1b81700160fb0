// An append-only list that tests can wait on: "resolve when an entry like this has been recorded".
// Used by the stand-in kubelet (watcher events) and the fake DRA plugin (calls it received).

const DEFAULT_WAIT_MS = 10_000;

interface Waiter<T> {
  matches: (entry: T) => boolean;
  resolve: (entry: T) => void;
}

export class EventLog<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  /** Everything recorded so far, oldest first. */
  get entries(): readonly T[] {
    return this.items;
  }

  push(entry: T): void {
    this.items.push(entry);
    for (const waiter of [...this.waiters]) {
      if (waiter.matches(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  /**
   * The first entry recorded from index `from` on (default: any, past ones included) that matches;
   * rejects after `timeoutMs` so a broken test fails with a message instead of hanging.
   */
  waitFor(matches: (entry: T) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<T> {
    const found = this.items.slice(options.from ?? 0).find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching entry within ${timeoutMs} ms; have ${JSON.stringify(this.items)}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        matches,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.add(waiter);
    });
  }
}
