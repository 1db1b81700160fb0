// ExplainReadPorts for reader tests: objects held per resource, every call recorded, NotFound as the API
// server's 404 ApiError, and scriptable failures per resource. Slice lists page through `pageSize`.
import { ApiError } from "../../../src/k8s/api-error.ts";
import type { ListOptions, NamespacedCall } from "../../../src/k8s/resource-client.ts";
import type { ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import type { KubeObject, ObjectList } from "../../../src/k8s/types.ts";
import type { ExplainReadPorts } from "../../../src/explain/reader.ts";
import type { ExplainSnapshot } from "../../../src/explain/snapshot.ts";

export type Resource = "pods" | "nads" | "claims" | "deviceClasses" | "slices";

export interface ApiCall {
  resource: Resource;
  verb: "get" | "list";
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  continue?: string;
}

function notFound(resource: string, name: string): ApiError {
  return new ApiError({ status: 404, reason: "NotFound", message: `${resource} "${name}" not found` });
}

export class FakeExplainApi {
  readonly calls: ApiCall[] = [];
  readonly failures = new Map<Resource, Error>();
  pageSize = 2;
  readonly #objects: Record<Exclude<Resource, "slices">, KubeObject[]>;
  readonly #slices: ResourceSlice[];

  constructor(snapshot: ExplainSnapshot) {
    this.#objects = {
      pods: [snapshot.pod],
      nads: [...snapshot.nads],
      claims: [...snapshot.claims],
      deviceClasses: [...snapshot.deviceClasses],
    };
    this.#slices = [...snapshot.slices];
  }

  #get<T>(resource: Exclude<Resource, "slices">) {
    return (name: string, opts: NamespacedCall = {}): Promise<T> => {
      this.calls.push({
        resource,
        verb: "get",
        name,
        ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
      });
      const failure = this.failures.get(resource);
      if (failure !== undefined) return Promise.reject(failure);
      const found = this.#objects[resource].find(
        (o) =>
          o.metadata?.name === name &&
          (opts.namespace === undefined || o.metadata?.namespace === opts.namespace),
      );
      return found === undefined ? Promise.reject(notFound(resource, name)) : Promise.resolve(found as T);
    };
  }

  #list(opts: ListOptions = {}): Promise<ObjectList<ResourceSlice>> {
    const call: ApiCall = { resource: "slices", verb: "list" };
    if (opts.fieldSelector !== undefined) call.fieldSelector = opts.fieldSelector;
    if (opts.continue !== undefined) call.continue = opts.continue;
    this.calls.push(call);
    const failure = this.failures.get("slices");
    if (failure !== undefined) return Promise.reject(failure);
    const [field, value] = (opts.fieldSelector ?? "=").split("=");
    const matching = this.#slices.filter((s) =>
      field === "spec.nodeName"
        ? s.spec.nodeName === value
        : field === "spec.driver"
          ? s.spec.driver === value
          : true,
    );
    const start = Number(opts.continue ?? "0");
    const items = matching.slice(start, start + this.pageSize);
    const next = start + this.pageSize < matching.length ? String(start + this.pageSize) : undefined;
    return Promise.resolve({ items, metadata: next === undefined ? {} : { continue: next } });
  }

  ports(): ExplainReadPorts {
    return {
      pods: { get: this.#get("pods") },
      nads: { get: this.#get("nads") },
      claims: { get: this.#get("claims") },
      deviceClasses: { get: this.#get("deviceClasses") },
      slices: { list: (opts) => this.#list(opts) },
    };
  }

  callsOf(resource: Resource): ApiCall[] {
    return this.calls.filter((c) => c.resource === resource);
  }
}
