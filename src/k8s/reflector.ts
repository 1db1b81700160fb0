// The reflector: keeps a sink in step with one collection by list, then watch from the list's
// resourceVersion. Follows client-go's tools/cache reflector:
// - the first list asks for resourceVersion "0" (cache), relists for the last RV seen, and after a
//   410 / "too large RV" on a list, for "" (a consistent read);
// - a watch that ends (server timeout, broken stream) resumes from the last RV; bookmarks move it;
//   one that closes within a second having delivered nothing counts as a failure;
// - 410 Gone, as the watch's HTTP status or as an ERROR event in the stream, means relist;
// - "connection refused" and 429 retry the watch after a backoff; other failures relist after a
//   backoff (800ms doubling to 30s, reset after 2 quiet minutes).
import type { Clock } from "../common/clock.ts";
import { errorMessage } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import {
  ApiError,
  isConnectionRefused,
  isGone,
  isTooLargeResourceVersion,
  isTooManyRequests,
} from "./api-error.ts";
import { resourceVersionOf } from "./informer-store.ts";
import { listAll } from "./list-watch.ts";
import type { ListWatch } from "./list-watch.ts";
import { REFLECTOR_BACKOFF, ResettingBackoff } from "./resetting-backoff.ts";
import type { ResettingBackoffOptions } from "./resetting-backoff.ts";
import type { KubeObject, WatchEvent } from "./types.ts";

/** client-go's: watches last a random 5–10 minutes, spreading reconnects. */
export const MIN_WATCH_TIMEOUT_SECONDS = 300;
export const LIST_PAGE_SIZE = 500;
const SHORT_WATCH_MS = 1000;

export type ObjectEvent<T> = Exclude<WatchEvent<T>, { type: "ERROR" | "BOOKMARK" }>;

/** Where the reflector puts what it learns (the informer's store). */
export interface ReflectorSink<T> {
  /** A full list: make the store exactly these items. */
  replace(items: T[]): void;
  apply(event: ObjectEvent<T>): void;
}

export interface ReflectorOptions<T> {
  listWatch: ListWatch<T>;
  sink: ReflectorSink<T>;
  name: string;
  clock: Clock;
  logger: Logger;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  backoff?: ResettingBackoffOptions | undefined;
  minWatchTimeoutSeconds?: number | undefined;
  pageSize?: number | undefined;
  random?: (() => number) | undefined;
}

export class Reflector<T extends KubeObject> {
  readonly #opts: ReflectorOptions<T>;
  readonly #backoff: ResettingBackoff;
  readonly #random: () => number;
  #lastRV = "";
  #rvUnavailable = false;

  constructor(opts: ReflectorOptions<T>) {
    this.#opts = opts;
    this.#random = opts.random ?? Math.random;
    this.#backoff = new ResettingBackoff(opts.clock, opts.backoff ?? REFLECTOR_BACKOFF, this.#random);
  }

  /** The resourceVersion the next watch would start from. */
  lastSyncResourceVersion(): string {
    return this.#lastRV;
  }

  /** Lists and watches until `signal` aborts; never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#list(signal);
        await this.#watch(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.#opts.logger.warn({ err: errorMessage(err) }, "list/watch failed; relisting after a backoff");
      }
      if (signal.aborted) break;
      await this.#backoff.wait(signal).catch(() => undefined);
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    const opts = {
      labelSelector: this.#opts.labelSelector,
      fieldSelector: this.#opts.fieldSelector,
      pageSize: this.#opts.pageSize ?? LIST_PAGE_SIZE,
      signal,
    };
    let resourceVersion = this.#rvUnavailable ? "" : this.#lastRV || "0";
    let page;
    try {
      page = await listAll(this.#opts.listWatch, { ...opts, resourceVersion });
    } catch (err) {
      if (!isGone(err) && !isTooLargeResourceVersion(err))
        throw new Error(`list ${this.#opts.name}`, { cause: err });
      this.#opts.logger.info({ resourceVersion }, "resourceVersion unavailable; listing the latest");
      this.#rvUnavailable = true;
      resourceVersion = "";
      page = await listAll(this.#opts.listWatch, { ...opts, resourceVersion }).catch((cause: unknown) => {
        throw new Error(`list ${this.#opts.name} at the latest resourceVersion`, { cause });
      });
    }
    signal.throwIfAborted();
    this.#rvUnavailable = false;
    this.#opts.sink.replace(page.items);
    this.#lastRV = page.resourceVersion;
  }

  async #watch(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      const startedMs = this.#opts.clock.now();
      const resourceVersion = this.#lastRV;
      let stream: AsyncIterable<WatchEvent<T>>;
      try {
        stream = await this.#opts.listWatch.watch({
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.#watchTimeoutSeconds(),
          labelSelector: this.#opts.labelSelector,
          fieldSelector: this.#opts.fieldSelector,
          signal,
        });
      } catch (err) {
        if (signal.aborted) return;
        if (isConnectionRefused(err) || isTooManyRequests(err)) {
          this.#opts.logger.debug({ err: errorMessage(err) }, "watch refused; retrying after a backoff");
          await this.#backoff.wait(signal);
          continue;
        }
        if (isGone(err)) return this.#opts.logger.info({ resourceVersion }, "watch RV expired; relisting");
        throw new Error(`watch ${this.#opts.name} from resourceVersion ${resourceVersion}`, { cause: err });
      }
      const { events, err } = await this.#consume(stream, signal);
      if (signal.aborted) return;
      if (isGone(err))
        return this.#opts.logger.info({ resourceVersion }, "watch expired mid-stream; relisting");
      if (isTooManyRequests(err)) {
        await this.#backoff.wait(signal);
        continue;
      }
      if (err instanceof ApiError) throw new Error(`watch ${this.#opts.name} ended`, { cause: err });
      if (err !== undefined)
        this.#opts.logger.debug({ err: errorMessage(err) }, "watch stream broke; resuming");
      if (events === 0 && this.#opts.clock.now() - startedMs < SHORT_WATCH_MS) {
        const message = `very short watch of ${this.#opts.name}: closed within a second with no events`;
        throw new Error(message, { cause: err });
      }
    }
  }

  /** Feeds the stream to the sink; an ERROR event or a broken stream comes back as `err`. */
  async #consume(
    stream: AsyncIterable<WatchEvent<T>>,
    signal: AbortSignal,
  ): Promise<{ events: number; err?: unknown }> {
    let events = 0;
    try {
      for await (const event of stream) {
        if (signal.aborted) break;
        if (event.type === "ERROR") return { events, err: ApiError.fromStatus(event.object, "watch event") };
        if (event.type !== "BOOKMARK") this.#opts.sink.apply(event);
        const resourceVersion = resourceVersionOf(event.object);
        if (resourceVersion !== "") this.#lastRV = resourceVersion;
        events++;
      }
      return { events };
    } catch (err) {
      return { events, err };
    }
  }

  #watchTimeoutSeconds(): number {
    const min = this.#opts.minWatchTimeoutSeconds ?? MIN_WATCH_TIMEOUT_SECONDS;
    return Math.floor(min * (1 + this.#random()));
  }
}
