// Kubernetes Events about objects the controller looks at, as core/v1 Events (what `kubectl describe`
// lists under "Events:"; the API server serves them as events.k8s.io/v1 too). Like client-go's
// recorder: the name is "<object>.<hex nanoseconds>", and the same event again (same object, type,
// reason, message) bumps count and lastTimestamp of the one already written instead of adding one.
// Events are best effort: a failed write is logged, never thrown.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { KubeObject } from "../../k8s/types.ts";

export type EventType = "Normal" | "Warning";

/** The object an event is about (core/v1 ObjectReference). */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: EventTarget;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** What the recorder needs from the API. */
export interface EventSink {
  create(event: CoreEvent): Promise<unknown>;
  bump(namespace: string, name: string, patch: { count: number; lastTimestamp: string }): Promise<unknown>;
}

export interface EventRecorderOptions {
  sink: EventSink;
  /** source.component and reportingComponent, e.g. "netclaim-controller". */
  component: string;
  /** reportingInstance: this replica. */
  instance: string;
  clock?: Clock;
  logger?: Logger;
  /** Told of every event written or bumped (metrics). */
  onEvent?: (type: EventType, reason: string) => void;
}

/** What components that emit events depend on. */
export interface EventEmitter {
  record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void>;
}

/** Events whose repeats are remembered (oldest forgotten first). */
const REMEMBERED_EVENTS = 4096;
/** Events go to "default" when the object has no namespace (as client-go does). */
const CLUSTER_EVENT_NAMESPACE = "default";

export interface RenderEventInput {
  target: EventTarget;
  type: EventType;
  reason: string;
  message: string;
  component: string;
  instance: string;
  nowMs: number;
  /** Distinguishes events written in the same millisecond. */
  sequence: number;
}

/** Pure: the Event object for a first occurrence. */
export function renderEvent(input: RenderEventInput): CoreEvent {
  const namespace = input.target.namespace || CLUSTER_EVENT_NAMESPACE;
  const nanos = BigInt(input.nowMs) * 1_000_000n + BigInt(input.sequence % 1_000_000);
  const time = new Date(input.nowMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${input.target.name}.${nanos.toString(16)}`, namespace },
    involvedObject: input.target,
    reason: input.reason,
    message: input.message,
    type: input.type,
    source: { component: input.component },
    reportingComponent: input.component,
    reportingInstance: input.instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}

interface Written {
  namespace: string;
  name: string;
  count: number;
}

export class EventRecorder implements EventEmitter {
  readonly #opts: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #written = new Map<string, Written>();
  #sequence = 0;

  constructor(opts: EventRecorderOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "events" });
  }

  async record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    const key = JSON.stringify([target.uid ?? target.name, target.namespace, type, reason, message]);
    const nowMs = this.#clock.now();
    const seen = this.#written.get(key);
    try {
      this.#opts.onEvent?.(type, reason);
      if (seen !== undefined && (await this.#bump(seen, nowMs))) return;
      const event = renderEvent({
        target,
        type,
        reason,
        message,
        component: this.#opts.component,
        instance: this.#opts.instance,
        nowMs,
        sequence: this.#sequence++,
      });
      await this.#opts.sink.create(event);
      this.#remember(key, { namespace: event.metadata!.namespace!, name: event.metadata!.name!, count: 1 });
    } catch (err) {
      this.#logger.warn({ err: errorMessage(err), reason, object: target.name }, "cannot write an event");
    }
  }

  /** True when the earlier event was bumped; false when it is gone (write a new one). */
  async #bump(seen: Written, nowMs: number): Promise<boolean> {
    const lastTimestamp = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
      await this.#opts.sink.bump(seen.namespace, seen.name, { count: seen.count + 1, lastTimestamp });
      seen.count += 1;
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  #remember(key: string, written: Written): void {
    this.#written.delete(key);
    this.#written.set(key, written);
    if (this.#written.size > REMEMBERED_EVENTS) {
      const oldest = this.#written.keys().next().value;
      if (oldest !== undefined) this.#written.delete(oldest);
    }
  }
}

/** The sink over a core/v1 events client. */
export function eventSinkFrom(events: ResourceClient<KubeObject>, fieldManager?: string): EventSink {
  const write = fieldManager === undefined ? {} : { fieldManager };
  return {
    create: (event) => events.create(event, { ...write, namespace: event.metadata?.namespace }),
    bump: (namespace, name, patch) => events.patch(name, patch, { ...write, type: "merge", namespace }),
  };
}
