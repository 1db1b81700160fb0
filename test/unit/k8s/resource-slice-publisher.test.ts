// The publisher's worker over a hand-written in-memory API and a manual clock: coalescing, debounce,
// periodic drift correction, 409 re-plans, backoff, server-dropped fields, uninstall and stop.
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../../src/k8s/api-error.ts";
import { ResourceSlicePublisher, sliceFieldSelector } from "../../../src/k8s/resource-slice-publisher.ts";
import type {
  ResourceSliceApi,
  ResourceSlicePublisherOptions,
  SliceDeleteOptions,
} from "../../../src/k8s/resource-slice-publisher.ts";
import type { Device, ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import { FakeClock, flushMicrotasks } from "../../fakes/clock.ts";
import { captureLogger } from "../../fakes/logger.ts";

type Op = "list" | "create" | "update" | "delete";

/** An in-memory ResourceSlice API: records calls, answers like the API server, fails when told to. */
class FakeSliceApi implements ResourceSliceApi {
  readonly slices = new Map<string, ResourceSlice>();
  readonly calls: { op: Op; name?: string | undefined; fieldSelector?: string }[] = [];
  readonly failures: { op: Op; err: Error }[] = [];
  /** Fields a server without some feature gate drops from devices. */
  dropDeviceFields: string[] = [];
  /** While set, list waits for it (a slow API server). */
  gate: Promise<void> | undefined;
  #rv = 0;

  writes(): number {
    return this.calls.filter((c) => c.op !== "list").length;
  }

  count(op: Op): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  #fail(op: Op): void {
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.err;
  }

  #store(slice: ResourceSlice): ResourceSlice {
    const stored = structuredClone(slice);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#rv) };
    for (const d of stored.spec.devices ?? []) {
      for (const f of this.dropDeviceFields) delete (d as unknown as Record<string, unknown>)[f];
    }
    this.slices.set(stored.metadata.name ?? "", stored);
    return structuredClone(stored);
  }

  async list(opts: { fieldSelector: string }): Promise<ResourceSlice[]> {
    this.calls.push({ op: "list", fieldSelector: opts.fieldSelector });
    await this.gate;
    this.#fail("list");
    return [...this.slices.values()].map((s) => structuredClone(s));
  }

  create(slice: ResourceSlice): Promise<ResourceSlice> {
    const name = `${slice.metadata?.generateName ?? ""}${String(this.#rv + 1).padStart(5, "0")}`;
    this.calls.push({ op: "create", name });
    this.#fail("create");
    const { generateName: _g, ...meta } = slice.metadata ?? {};
    return Promise.resolve(this.#store({ ...slice, metadata: { ...meta, name, uid: `uid-${name}` } }));
  }

  update(slice: ResourceSlice): Promise<ResourceSlice> {
    const name = slice.metadata?.name ?? "";
    this.calls.push({ op: "update", name });
    this.#fail("update");
    const old = this.slices.get(name);
    if (old === undefined) throw new ApiError({ status: 404, reason: "NotFound", message: name });
    if (old.metadata?.resourceVersion !== slice.metadata?.resourceVersion) {
      throw new ApiError({ status: 409, reason: "Conflict", message: "the object has been modified" });
    }
    return Promise.resolve(this.#store(slice));
  }

  delete(name: string, opts: SliceDeleteOptions = {}): Promise<void> {
    this.calls.push({ op: "delete", name });
    this.#fail("delete");
    const old = this.slices.get(name);
    if (old === undefined) throw new ApiError({ status: 404, reason: "NotFound", message: name });
    const pre = opts.preconditions ?? {};
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== old.metadata?.resourceVersion) {
      throw new ApiError({ status: 409, reason: "Conflict", message: "precondition failed" });
    }
    this.slices.delete(name);
    return Promise.resolve();
  }

  devicesPublished(): string[] {
    return [...this.slices.values()].flatMap((s) => (s.spec.devices ?? []).map((d) => d.name)).sort();
  }
}

const vf = (i: number, extra: Partial<Device> = {}): Device => ({
  name: `vf-${String(i).padStart(4, "0")}`,
  attributes: { "netclaim.dev/vfIndex": { int: i } },
  ...extra,
});
const devices = (n: number): Device[] => Array.from({ length: n }, (_, i) => vf(i));

const RESYNC_MS = 60_000;
let running: ResourceSlicePublisher[] = [];
afterEach(async () => {
  await Promise.all(running.map((p) => p.stop()));
  running = [];
});

function setup(extra: Partial<ResourceSlicePublisherOptions> = {}) {
  const api = new FakeSliceApi();
  const clock = new FakeClock();
  const log = captureLogger();
  const publisher = new ResourceSlicePublisher({
    api,
    driver: "netclaim.dev",
    nodeName: "node-a",
    clock,
    logger: log.logger,
    debounceMs: 0,
    resyncPeriodMs: RESYNC_MS,
    backoff: { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0, resetAfterMs: 120_000 },
    ...extra,
  });
  publisher.start();
  running.push(publisher);
  return { api, clock, log, publisher };
}

describe("ResourceSlicePublisher", () => {
  it("publishes, lists only its node and driver, and owns the slices through the Node", async () => {
    const { api, publisher } = setup({ nodeUid: "uid-node-a" });
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    expect(api.calls.map((c) => c.op)).toEqual(["list", "create", "create", "create"]);
    expect(api.calls[0]?.fieldSelector).toBe("spec.nodeName=node-a,spec.driver=netclaim.dev");
    expect(api.devicesPublished()).toEqual(devices(300).map((d) => d.name));
    for (const s of api.slices.values()) {
      expect(s.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "Node",
        name: "node-a",
        uid: "uid-node-a",
      });
    }
    expect(publisher.stats()).toMatchObject({ syncs: 1, creates: 3, generation: 1, slices: 3, devices: 300 });
  });

  it("writes nothing when the same devices come again", async () => {
    const { api, publisher } = setup();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    const before = api.calls.length;
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    expect(api.calls.slice(before).map((c) => c.op)).toEqual(["list"]);
  });

  it("coalesces publishes made during a sync into one more sync with the newest devices", async () => {
    const { api, publisher } = setup();
    let release!: () => void;
    api.gate = new Promise((resolve) => (release = resolve));
    publisher.publish(devices(1));
    await flushMicrotasks();
    expect(api.count("list")).toBe(1); // the first sync is waiting on the server
    publisher.publish(devices(2));
    publisher.publish(devices(3));
    api.gate = undefined;
    release();
    await publisher.waitForIdle();
    expect(api.count("list")).toBe(2);
    expect(api.devicesPublished()).toEqual(devices(3).map((d) => d.name));
  });

  it("debounces a burst of publishes into one sync", async () => {
    const { api, clock, publisher } = setup({ debounceMs: 100 });
    publisher.publish(devices(1));
    publisher.publish(devices(2));
    await clock.advanceAsync(99);
    expect(api.calls).toEqual([]);
    await clock.advanceAsync(1);
    await publisher.waitForIdle();
    expect(api.count("list")).toBe(1);
    expect(api.devicesPublished()).toHaveLength(2);
  });

  it("puts back a slice deleted or edited behind its back at the next resync, and only that", async () => {
    const { api, clock, publisher } = setup();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    const [first, second] = [...api.slices.keys()];
    api.slices.delete(first!);
    const edited = api.slices.get(second!)!;
    edited.spec.devices = edited.spec.devices?.slice(1);
    api.calls.length = 0;
    await clock.advanceAsync(RESYNC_MS);
    await publisher.waitForIdle();
    expect(api.devicesPublished()).toEqual(devices(300).map((d) => d.name));
    // A new slice means a new generation, so the third slice is rewritten too.
    expect({ create: api.count("create"), update: api.count("update"), delete: api.count("delete") }).toEqual(
      {
        create: 1,
        update: 2,
        delete: 0,
      },
    );
    api.calls.length = 0;
    await clock.advanceAsync(RESYNC_MS);
    await publisher.waitForIdle();
    expect(api.calls.map((c) => c.op)).toEqual(["list"]);
  });

  it("resync() checks at once, e.g. after the kubelet wiped the node's slices on its restart", async () => {
    const { api, publisher } = setup();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    api.slices.clear();
    publisher.resync();
    await publisher.waitForIdle();
    expect(api.devicesPublished()).toEqual(devices(300).map((d) => d.name));
    expect(publisher.stats()).toMatchObject({ creates: 6, generation: 1 });
  });

  it("deleteAll during the debounce: the pending publish never writes", async () => {
    const { api, clock, publisher } = setup({ debounceMs: 100 });
    publisher.publish(devices(10));
    await flushMicrotasks();
    const deleting = publisher.deleteAll();
    await clock.advanceAsync(100);
    expect(await deleting).toBe(0);
    await publisher.waitForIdle();
    expect(api.calls.map((c) => c.op)).toEqual(["list"]);
  });

  it("deleteAll works without start (an uninstall run)", async () => {
    const api = new FakeSliceApi();
    const other = new ResourceSlicePublisher({ api, driver: "netclaim.dev", nodeName: "node-a" });
    api.slices.set("s", {
      metadata: { name: "s", resourceVersion: "1" },
      spec: {
        driver: "netclaim.dev",
        nodeName: "node-a",
        pool: { name: "node-a", generation: 1, resourceSliceCount: 1 },
      },
    });
    expect(await other.deleteAll()).toBe(1);
    expect(api.calls.map((c) => c.op)).toEqual(["list", "delete"]);
  });

  it("re-lists and re-plans after a 409, without backing off", async () => {
    const { api, publisher } = setup();
    publisher.publish(devices(10));
    await publisher.waitForIdle();
    api.failures.push({
      op: "update",
      err: new ApiError({ status: 409, reason: "Conflict", message: "modified" }),
    });
    publisher.publish(devices(10).map((d, i) => (i === 0 ? vf(0, { attributes: {} }) : d)));
    await publisher.waitForIdle();
    expect(api.calls.slice(2).map((c) => c.op)).toEqual(["list", "update", "list", "update"]);
    expect(publisher.stats()).toMatchObject({ conflicts: 1, failures: 0, updates: 1 });
  });

  it("backs off after other failures and then succeeds", async () => {
    const { api, clock, log, publisher } = setup();
    api.failures.push({
      op: "list",
      err: new ApiError({ status: 500, reason: "InternalError", message: "etcd" }),
    });
    publisher.publish(devices(2));
    await flushMicrotasks();
    await clock.advanceAsync(999);
    expect(api.count("list")).toBe(1);
    await clock.advanceAsync(1);
    await publisher.waitForIdle();
    expect(api.count("list")).toBe(2);
    expect(api.devicesPublished()).toHaveLength(2);
    expect(publisher.stats().failures).toBe(1);
    const warning = log.lines().find((l) => l["msg"] === "publishing ResourceSlices failed");
    expect(warning?.["err"]).toMatch(/publish ResourceSlices of node node-a: 500 InternalError: etcd/);
  });

  it("accepts what a server without a feature keeps instead of rewriting it forever", async () => {
    const { api, clock, log, publisher } = setup();
    api.dropDeviceFields = ["bindsToNode"];
    publisher.publish(devices(3).map((d) => ({ ...d, bindsToNode: true })));
    await publisher.waitForIdle();
    api.calls.length = 0;
    await clock.advanceAsync(RESYNC_MS);
    await publisher.waitForIdle();
    expect(api.calls.map((c) => c.op)).toEqual(["list"]);
    expect(log.lines().some((l) => String(l["msg"]).includes("dropped fields"))).toBe(true);
  });

  it("warns about refused devices once, not at every resync", async () => {
    const { clock, log, publisher } = setup();
    publisher.publish([vf(1), { name: "NOT_VALID" }]);
    await publisher.waitForIdle();
    await clock.advanceAsync(RESYNC_MS);
    await publisher.waitForIdle();
    const warnings = log.lines().filter((l) => l["msg"] === "devices left out of the ResourceSlices");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.["sample"]).toEqual([expect.stringContaining("NOT_VALID: name")]);
    expect(publisher.stats()).toMatchObject({ devices: 1, rejectedDevices: 1 });
  });

  it("deleteAll removes every slice of the node and driver, of any pool, and publishing stops", async () => {
    const { api, clock, publisher } = setup();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    api.slices.set("old-run", {
      metadata: { name: "old-run", resourceVersion: "1" },
      spec: {
        driver: "netclaim.dev",
        nodeName: "node-a",
        pool: { name: "old", generation: 3, resourceSliceCount: 1 },
      },
    });
    expect(await publisher.deleteAll()).toBe(4);
    expect(api.slices.size).toBe(0);
    api.calls.length = 0;
    publisher.publish(devices(1));
    await clock.advanceAsync(RESYNC_MS);
    await flushMicrotasks();
    expect(api.calls).toEqual([]);
  });

  it("stops: the resync timer goes, waiting callers are told", async () => {
    const { api, clock, publisher } = setup();
    let release!: () => void;
    api.gate = new Promise((resolve) => (release = resolve));
    publisher.publish(devices(1));
    const waiting = publisher.waitForIdle();
    const stopped = publisher.stop();
    release();
    await stopped;
    await expect(waiting).rejects.toThrow(/stopped/);
    expect(api.writes()).toBe(0); // the list answered after the stop: nothing written
    expect(clock.pendingTimers()).toBe(0);
    await expect(publisher.waitForIdle()).rejects.toThrow(/not running/);
  });

  it("escapes field selector values", () => {
    expect(sliceFieldSelector("a,b", "c=d")).toBe("spec.nodeName=a\\,b,spec.driver=c\\=d");
  });
});
