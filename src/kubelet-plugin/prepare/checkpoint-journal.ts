// The checkpoint in memory, written through to a Checkpointer with group commit: a change applies to
// the in-memory checkpoint at once and its promise resolves when a write that contains it is durable.
// Changes made while a write is in flight go out together in the next one, so a batch of 100 claims
// costs a handful of fsynced writes rather than two hundred, and writes never overlap.
//
// A failed write rejects every change it carried; the in-memory checkpoint keeps them (the host may
// already reflect some), and the next successful write makes them durable. Callers fail the claim.
import type { Checkpoint } from "../../api/checkpoint.ts";
import type { Checkpointer } from "../checkpoint/checkpoint-store.ts";

interface Pending {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function pending(): Pending {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class CheckpointJournal {
  private readonly checkpointer: Checkpointer;
  private readonly onChange: ((checkpoint: Checkpoint) => void) | undefined;
  private state: Checkpoint;
  private writing = false;
  private next: Pending | undefined;
  /** Writes done so far (for tests and the benchmark). */
  writes = 0;

  /** `onChange` sees the in-memory checkpoint after every change (metrics). */
  constructor(checkpointer: Checkpointer, initial: Checkpoint, onChange?: (checkpoint: Checkpoint) => void) {
    this.checkpointer = checkpointer;
    this.state = initial;
    this.onChange = onChange;
  }

  /** The checkpoint as it is in memory, changes not yet durable included. */
  get current(): Checkpoint {
    return this.state;
  }

  /**
   * Applies `change` (a pure transition; a throw rejects without writing) and resolves once the
   * checkpoint with it is on disk.
   */
  update(change: (checkpoint: Checkpoint) => Checkpoint): Promise<void> {
    try {
      this.state = change(this.state);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.onChange?.(this.state);
    this.next ??= pending();
    const { promise } = this.next;
    this.flush();
    return promise;
  }

  /** Resolves once everything changed so far is durable (or failed). */
  async settled(): Promise<void> {
    while (this.writing || this.next !== undefined) {
      await (this.next?.promise ?? Promise.resolve()).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private flush(): void {
    if (this.writing || this.next === undefined) return;
    const batch = this.next;
    this.next = undefined;
    this.writing = true;
    const snapshot = this.state;
    this.checkpointer.write(snapshot).then(
      () => {
        this.writes++;
        this.done(batch, undefined);
      },
      (err: unknown) => this.done(batch, err),
    );
  }

  private done(batch: Pending, err: unknown): void {
    this.writing = false;
    if (err === undefined) batch.resolve();
    else batch.reject(err);
    this.flush();
  }
}
