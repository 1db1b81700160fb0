// The stand-in Kubernetes API server for tests: kube-apiserver's behaviour for what netclaim uses, over
// plain HTTP on 127.0.0.1. Test code only; see README.md for what it does not imitate.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  builtinResources,
  INITIAL_NAMESPACES,
  NETWORK_ATTACHMENT_DEFINITION_CRD,
} from "./builtin-resources.ts";
import { fromStorage } from "./conversion.ts";
import { defFromResourceType } from "./crd.ts";
import { FaultInjector, requestMatches } from "./faults.ts";
import type { HandlerContext } from "./handlers.ts";
import { DEFAULT_TOKEN, renderKubeconfig } from "./kubeconfig.ts";
import type { KubeconfigOptions } from "./kubeconfig.ts";
import { randomSuffix } from "./object-rules.ts";
import { ResourceRegistry, typeKeyOf } from "./registry.ts";
import { handleRequest } from "./request-handler.ts";
import { ObjectStore, objectKey } from "./store.ts";
import type {
  KubeObject,
  FakeApiServerOptions,
  FaultRule,
  ObjectRef,
  RecordedRequest,
  RequestMatch,
  ResourceRef,
} from "./types.ts";
import type { WatchStream } from "./watch.ts";
import { removeObjectNow, seedObject } from "./write-service.ts";

export type * from "./types.ts";
export { DEFAULT_TOKEN } from "./kubeconfig.ts";

const DEFAULT_HISTORY_LIMIT = 1000;
const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;
/** Kubernetes 1.34 serves only v1 of resource.k8s.io unless the beta versions are turned on. */
const DEFAULT_RESOURCE_API_VERSIONS = ["v1"];
const DEFAULT_GIT_VERSION = "v1.34.0";

export class FakeApiServer {
  #options: FakeApiServerOptions;
  #store: ObjectStore;
  #registry = new ResourceRegistry();
  #faults = new FaultInjector();
  #requests: RecordedRequest[] = [];
  #watches = new Set<WatchStream>();
  #lifetime = new AbortController();
  #server: Server | undefined;
  #url: string | undefined;
  #bootstrapped = false;

  constructor(options: FakeApiServerOptions = {}) {
    this.#options = options;
    this.#store = new ObjectStore({ historyLimit: options.watchHistoryLimit ?? DEFAULT_HISTORY_LIMIT });
  }

  #context(): HandlerContext {
    const ctx: HandlerContext = {
      store: this.#store,
      registry: this.#registry,
      nowMs: () => Date.now(),
      uid: () => randomUUID(),
      nameSuffix: () => randomSuffix(),
      podGracefulDeletion: this.#options.podGracefulDeletion ?? true,
      bookmarkIntervalMs: this.#options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS,
      watches: this.#watches,
    };
    if (!this.#bootstrapped) {
      this.#bootstrapped = true;
      const draVersions = this.#options.resourceApiVersions ?? DEFAULT_RESOURCE_API_VERSIONS;
      for (const def of builtinResources(draVersions)) this.#registry.register(def);
      for (const type of this.#options.resources ?? []) this.#registry.register(defFromResourceType(type));
      for (const name of INITIAL_NAMESPACES)
        this.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
      this.seed(NETWORK_ATTACHMENT_DEFINITION_CRD);
    }
    return ctx;
  }

  /**
   * Listens on a random 127.0.0.1 port; after stop(), on the same port again (an apiserver restart).
   * Stops by itself when `signal` aborts.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#server !== undefined) throw new Error("stand-in API server already started");
    if (this.#lifetime.signal.aborted) this.#lifetime = new AbortController();
    const ctx = this.#context();
    const deps = {
      ctx,
      faults: this.#faults,
      record: (request: RecordedRequest) => this.#requests.push(request),
      requiredToken: this.#options.requiredToken,
      gitVersion: this.#options.gitVersion ?? DEFAULT_GIT_VERSION,
      serverAddress: () => new URL(this.url).host,
      signal: this.#lifetime.signal,
    };
    const server = createServer((req, res) => void handleRequest(deps, req, res));
    const port = this.#url === undefined ? 0 : Number(new URL(this.#url).port);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#lifetime.abort();
    this.closeWatches();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.#server = undefined;
  }

  get url(): string {
    if (this.#url === undefined) throw new Error("stand-in API server not started");
    return this.#url;
  }

  kubeconfigYaml(options: KubeconfigOptions = {}): string {
    return renderKubeconfig(this.url, {
      token: options.token ?? this.#options.requiredToken ?? DEFAULT_TOKEN,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
  }

  async writeKubeconfig(path: string, options: KubeconfigOptions = {}): Promise<void> {
    await writeFile(path, this.kubeconfigYaml(options), { mode: 0o600 });
  }

  requests(): RecordedRequest[] {
    return this.#requests.map((r) => ({ ...r, query: { ...r.query } }));
  }

  requestCount(match?: RequestMatch): number {
    return this.#requests.filter((r) => requestMatches(match, r)).length;
  }

  resetRequests(): void {
    this.#requests = [];
  }

  addFault(rule: FaultRule): () => void {
    return this.#faults.add(rule);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** Stores an object directly (create or replace, status included); watchers see ADDED or MODIFIED. */
  seed(obj: KubeObject): KubeObject {
    const ctx = this.#context();
    const found = this.#registry.byKind(obj.apiVersion ?? "", obj.kind ?? "");
    if (found === undefined)
      throw new Error(`seed: no resource serves ${obj.apiVersion ?? "?"} ${obj.kind ?? "?"}`);
    const stored = seedObject(ctx, found.def, found.version, obj);
    return fromStorage(found.def, found.def.versions[0] ?? found.def.storageVersion, stored);
  }

  /** The object in the resource's preferred served version, or undefined. */
  getObject(ref: ObjectRef): KubeObject | undefined {
    this.#context();
    const def = this.#registry.resolve(ref);
    const obj = this.#store.get(
      typeKeyOf(def),
      objectKey(def.namespaced ? (ref.namespace ?? "default") : undefined, ref.name),
    );
    return obj === undefined ? undefined : fromStorage(def, def.versions[0] ?? def.storageVersion, obj);
  }

  listObjects(ref: ResourceRef, namespace?: string): KubeObject[] {
    this.#context();
    const def = this.#registry.resolve(ref);
    return this.#store
      .list(typeKeyOf(def), namespace)
      .map((obj) => fromStorage(def, def.versions[0] ?? def.storageVersion, obj));
  }

  /** Removes an object at once, ignoring finalizers (watchers see DELETED). */
  removeObject(ref: ObjectRef): boolean {
    const ctx = this.#context();
    const def = this.#registry.resolve(ref);
    return removeObjectNow(
      ctx,
      def,
      objectKey(def.namespaced ? (ref.namespace ?? "default") : undefined, ref.name),
    );
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.#store.resourceVersion);
  }

  /** Forgets watch history: resuming from an older resourceVersion then gets 410 Gone. */
  compactHistory(): void {
    this.#store.compact();
  }

  /** Ends every open watch, as an apiserver restart or its request timeout would. */
  closeWatches(): void {
    for (const watch of [...this.#watches]) watch.close();
  }

  /** Number of watches currently open. */
  get openWatches(): number {
    return this.#watches.size;
  }
}
