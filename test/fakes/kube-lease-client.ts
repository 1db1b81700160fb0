// Hand-written LeaseClient fakes for leader election tests. FakeLeaseServer holds one Lease with
// the API server's optimistic concurrency (resourceVersion preconditions → 409 Conflict,
// AlreadyExists on create); each candidate talks to it through its own FakeLeaseClient, which
// records the calls and can be scripted to fail or hang (a partitioned or slow candidate).
import { ApiError } from "../../src/k8s/api-error.ts";
import type { LeaseClient } from "../../src/k8s/leader-election.ts";
import type { Lease, LeaseRef } from "../../src/k8s/lease-record.ts";

export class FakeLeaseServer {
  #lease: Lease | undefined;
  #rv = 100;

  /** The stored Lease (a copy). */
  get lease(): Lease | undefined {
    return this.#lease === undefined ? undefined : structuredClone(this.#lease);
  }

  /** Puts a Lease in place as if another process had written it. */
  seed(lease: Lease): Lease {
    this.#lease = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(++this.#rv) },
    };
    return this.lease!;
  }

  get(ref: LeaseRef): Lease | undefined {
    const lease = this.#lease;
    if (
      lease === undefined ||
      lease.metadata?.name !== ref.name ||
      lease.metadata.namespace !== ref.namespace
    ) {
      return undefined;
    }
    return this.lease;
  }

  create(lease: Lease): Lease {
    if (this.#lease !== undefined) {
      throw new ApiError({
        status: 409,
        reason: "AlreadyExists",
        message: `leases "${lease.metadata?.name}" already exists`,
      });
    }
    return this.seed(lease);
  }

  update(lease: Lease): Lease {
    if (this.#lease === undefined)
      throw new ApiError({ status: 404, reason: "NotFound", message: "lease not found" });
    if (lease.metadata?.resourceVersion !== this.#lease.metadata?.resourceVersion) {
      throw new ApiError({
        status: 409,
        reason: "Conflict",
        message:
          "the object has been modified; please apply your changes to the latest version and try again",
      });
    }
    return this.seed(lease);
  }
}

export type LeaseVerb = "get" | "create" | "update";

export interface LeaseCall {
  verb: LeaseVerb;
  lease?: Lease;
}

type Script = { error: Error } | { hang: true };

export class FakeLeaseClient implements LeaseClient {
  readonly calls: LeaseCall[] = [];
  readonly #server: FakeLeaseServer;
  readonly #scripts: Script[] = [];
  #failAll: Error | undefined;
  #hangAll = false;

  constructor(server: FakeLeaseServer) {
    this.#server = server;
  }

  /** The next call (any verb) fails with `error`. */
  failNext(error: Error): this {
    this.#scripts.push({ error });
    return this;
  }

  /** Every call fails with `error` from now on (undefined heals it): a network partition. */
  failAll(error: Error | undefined): this {
    this.#failAll = error;
    return this;
  }

  /** Every call hangs until its signal aborts (undefined/false heals it). */
  hangAll(hang: boolean): this {
    this.#hangAll = hang;
    return this;
  }

  verbs(): LeaseVerb[] {
    return this.calls.map((c) => c.verb);
  }

  updates(): Lease[] {
    return this.calls.flatMap((c) => (c.verb === "update" && c.lease !== undefined ? [c.lease] : []));
  }

  get(ref: LeaseRef, signal: AbortSignal): Promise<Lease | undefined> {
    return this.#answer({ verb: "get" }, signal, () => this.#server.get(ref));
  }

  create(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.#answer({ verb: "create", lease: structuredClone(lease) }, signal, () =>
      this.#server.create(lease),
    );
  }

  update(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.#answer({ verb: "update", lease: structuredClone(lease) }, signal, () =>
      this.#server.update(lease),
    );
  }

  async #answer<T>(call: LeaseCall, signal: AbortSignal, serve: () => T): Promise<T> {
    this.calls.push(call);
    await Promise.resolve();
    signal.throwIfAborted();
    const script = this.#scripts.shift();
    if (this.#hangAll || (script !== undefined && "hang" in script)) {
      return new Promise<T>((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
      });
    }
    if (script !== undefined && "error" in script) throw script.error;
    if (this.#failAll !== undefined) throw this.#failAll;
    return serve();
  }
}
