// Mutual exclusion per key: work for one key runs one at a time, in arrival order; work for
// different keys runs concurrently. The DRA service keys it by claim UID, so a prepare and an
// unprepare of one claim never overlap while a pod's other claims go ahead.

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` for `key` has settled; resolves or rejects as `fn` does. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work running or waiting. */
  get activeKeys(): number {
    return this.tails.size;
  }
}
