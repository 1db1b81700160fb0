// The class controller's shell with hand-written fakes: a stale cache (409 Conflict, AlreadyExists)
// re-reads the class from the API and decides again; each warning is emitted once while it holds and
// again only after it cleared and came back. (Real clock: the conflict retry waits ~10 ms.)
import { describe, expect, it } from "vitest";
import {
  DeviceClassController,
  nadIndexers,
  sliceIndexers,
} from "../../../../src/controller/classes/class-controller.ts";
import type { DeviceClassClient } from "../../../../src/controller/classes/class-controller.ts";
import { desiredDeviceClass } from "../../../../src/controller/classes/device-class.ts";
import type { DeviceClass } from "../../../../src/controller/classes/device-class.ts";
import type { NetworkAttachmentDefinition } from "../../../../src/controller/classes/nad.ts";
import type { EventEmitter, EventTarget } from "../../../../src/controller/runtime/event-recorder.ts";
import { ApiError } from "../../../../src/k8s/api-error.ts";
import type { ResourceSlice } from "../../../../src/k8s/resource-slice-types.ts";
import type { KubeObject } from "../../../../src/k8s/types.ts";
import { FakeInformerView } from "../runtime/fake-informer-view.ts";

const DRIVER = "netclaim.dev";
const signal = new AbortController().signal;

const nad = (name: string, r: string, manage: boolean): NetworkAttachmentDefinition => ({
  metadata: {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    annotations: { "k8s.v1.cni.cncf.io/resourceName": r },
    ...(manage ? { labels: { "netclaim.dev/manage-device-class": "true" } } : {}),
  },
});

class FakeClassClient implements DeviceClassClient {
  calls: string[] = [];
  live: DeviceClass | undefined;
  failures: ApiError[] = [];
  get(name: string): Promise<DeviceClass> {
    this.calls.push(`get ${name}`);
    if (this.live === undefined) {
      return Promise.reject(new ApiError({ status: 404, reason: "NotFound", message: "nope" }));
    }
    return Promise.resolve(structuredClone(this.live));
  }
  create(obj: DeviceClass): Promise<DeviceClass> {
    this.calls.push(`create ${obj.metadata?.name}`);
    return this.#answer(obj);
  }
  update(obj: DeviceClass): Promise<DeviceClass> {
    this.calls.push(`update ${obj.metadata?.name}@${obj.metadata?.resourceVersion}`);
    return this.#answer(obj);
  }
  delete(name: string): Promise<KubeObject> {
    this.calls.push(`delete ${name}`);
    return Promise.resolve({});
  }
  #answer(obj: DeviceClass): Promise<DeviceClass> {
    const failure = this.failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve(obj);
  }
}

class FakeEvents implements EventEmitter {
  recorded: string[] = [];
  record(target: EventTarget, type: string, reason: string): Promise<void> {
    this.recorded.push(`${target.name}:${type}/${reason}`);
    return Promise.resolve();
  }
}

function setUp(nads: NetworkAttachmentDefinition[], classes: DeviceClass[] = []) {
  const nadView = new FakeInformerView<NetworkAttachmentDefinition>(nadIndexers, nads);
  const classView = new FakeInformerView<DeviceClass>({}, classes);
  const sliceView = new FakeInformerView<ResourceSlice>(sliceIndexers);
  const client = new FakeClassClient();
  const events = new FakeEvents();
  const controller = new DeviceClassController({
    driverName: DRIVER,
    nads: nadView,
    classes: classView,
    slices: sliceView,
    client,
    events,
  });
  return { nadView, classView, sliceView, client, events, controller };
}

const conflict = () => new ApiError({ status: 409, reason: "Conflict", message: "modified" });
const exists = () => new ApiError({ status: 409, reason: "AlreadyExists", message: "exists" });

describe("DeviceClassController.reconcile", () => {
  it("on a conflict re-reads the class and writes over what it read", async () => {
    const stale = desiredDeviceClass({ driverName: DRIVER, resourceName: "r", networks: ["default/old"] });
    stale.metadata = { ...stale.metadata, resourceVersion: "1" };
    const t = setUp([nad("a", "r", true)], [stale]);
    t.client.live = { ...structuredClone(stale), metadata: { ...stale.metadata, resourceVersion: "2" } };
    t.client.failures.push(conflict());
    await t.controller.reconcile("r", signal);
    expect(t.client.calls).toEqual(["update r@1", "get r", "update r@2"]);
  });

  it("a create that finds the class already there (cache behind) decides again from the API", async () => {
    const t = setUp([nad("a", "r", true)]);
    t.client.failures.push(exists());
    t.client.live = desiredDeviceClass({ driverName: DRIVER, resourceName: "r", networks: ["default/a"] });
    await t.controller.reconcile("r", signal);
    expect(t.client.calls).toEqual(["create r", "get r"]);
  });

  it("emits a warning once while it holds, again after it cleared", async () => {
    const t = setUp([nad("plain", "r", false)]);
    await t.controller.reconcile("r", signal);
    await t.controller.reconcile("r", signal);
    expect(t.events.recorded).toEqual(["plain:Warning/NoDeviceClass", "plain:Warning/NoPublishedDevice"]);

    t.sliceView.store.upsert({
      metadata: { name: "s" },
      spec: {
        driver: DRIVER,
        nodeName: "n",
        pool: { name: "n", generation: 1, resourceSliceCount: 1 },
        devices: [{ name: "d", attributes: { "k8s.cni.cncf.io/resourceName": { string: "r" } } }],
      },
    });
    await t.controller.reconcile("r", signal);
    t.sliceView.store.remove("s");
    await t.controller.reconcile("r", signal);
    expect(t.events.recorded).toEqual([
      "plain:Warning/NoDeviceClass",
      "plain:Warning/NoPublishedDevice",
      "plain:Warning/NoPublishedDevice",
    ]);
    expect(t.client.calls).toEqual([]);
  });
});
