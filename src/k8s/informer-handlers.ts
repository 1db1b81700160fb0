// Delivery of informer notifications to event handlers: one queue, in order, one call at a time
// (an async handler is awaited before the next call). A throwing handler is logged and skipped.
import type { Logger } from "../common/logger.ts";
import { errorMessage } from "../common/errors.ts";

export interface EventHandler<T> {
  /** `isInInitialList`: the object came with the informer's first list, not from a later change. */
  onAdd?(obj: T, isInInitialList: boolean): void | Promise<void>;
  /** Also called by the resync with old === obj. */
  onUpdate?(old: T, obj: T): void | Promise<void>;
  /** `finalStateUnknown`: the deletion was missed while not watching; obj is the last state seen. */
  onDelete?(obj: T, info: { finalStateUnknown: boolean }): void | Promise<void>;
}

export type Notification<T> =
  | { type: "add"; obj: T; initial: boolean }
  | { type: "update"; old: T; obj: T }
  | { type: "delete"; obj: T; finalStateUnknown: boolean }
  /** Runs when everything queued before it has been delivered (e.g. "initial list delivered"). */
  | { type: "marker"; run: () => void };

interface Queued<T> {
  note: Notification<T>;
  /** Only this registration (a late handler catching up); all when undefined. */
  only: number | undefined;
}

export class HandlerQueue<T> {
  readonly #logger: Logger;
  readonly #handlers = new Map<number, EventHandler<T>>();
  readonly #queue: Queued<T>[] = [];
  #nextId = 1;
  #pumping: Promise<void> | undefined;
  #closed = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Registers a handler; returns its id and the function that removes it. */
  add(handler: EventHandler<T>): { id: number; remove: () => void } {
    const id = this.#nextId++;
    this.#handlers.set(id, handler);
    return { id, remove: () => this.#handlers.delete(id) };
  }

  push(note: Notification<T>, only?: number): void {
    if (this.#closed) return;
    this.#queue.push({ note, only });
    this.#pumping ??= this.#pump();
  }

  /** Resolves once the queue is empty and no handler is running. */
  async idle(): Promise<void> {
    while (this.#pumping !== undefined) await this.#pumping;
  }

  /** Drops what is still queued and waits for the handler call in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    await this.idle();
  }

  async #pump(): Promise<void> {
    // Yield first: delivery never runs inside push(), and #pumping is set before the finally clears it.
    await Promise.resolve();
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
        if (item.note.type === "marker") {
          item.note.run();
          continue;
        }
        const targets =
          item.only === undefined ? [...this.#handlers.values()] : [this.#handlers.get(item.only)];
        for (const handler of targets) {
          if (handler !== undefined && !this.#closed) await this.#deliver(handler, item.note);
        }
      }
    } finally {
      this.#pumping = undefined;
    }
  }

  async #deliver(
    handler: EventHandler<T>,
    note: Exclude<Notification<T>, { type: "marker" }>,
  ): Promise<void> {
    try {
      switch (note.type) {
        case "add":
          await handler.onAdd?.(note.obj, note.initial);
          break;
        case "update":
          await handler.onUpdate?.(note.old, note.obj);
          break;
        case "delete":
          await handler.onDelete?.(note.obj, { finalStateUnknown: note.finalStateUnknown });
          break;
      }
    } catch (err) {
      this.#logger.error({ err: errorMessage(err), event: note.type }, "informer event handler failed");
    }
  }
}
