// The informer-backed ClusterView: hits answer from memory with no direct read; a pod miss waits for the
// informer (the pod may be newer than the cache) and then asks directly once; a pod cached under another
// UID is a miss for that sandbox; a NAD miss asks directly at once; before the first list, a question waits
// for it (bounded), and once that wait was in vain later questions do not wait again.
import { describe, expect, it } from "vitest";
import { InformerClusterView } from "../../../../src/cni/server/informer-cluster-view.ts";
import type { InformerClusterViewOptions } from "../../../../src/cni/server/informer-cluster-view.ts";
import { FakeClusterView } from "../../../fakes/cni-cluster.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { FakeObjectCache, nadObject, podObject } from "./support.ts";

function setup(options: Partial<InformerClusterViewOptions> = {}) {
  const pods = new FakeObjectCache();
  const nads = new FakeObjectCache();
  const direct = new FakeClusterView();
  const clock = new FakeClock();
  const view = new InformerClusterView({
    pods,
    nads,
    direct,
    clock,
    syncWaitMs: 5_000,
    podMissWaitMs: 1_000,
    ...options,
  });
  view.start();
  return { pods, nads, direct, clock, view };
}

describe("InformerClusterView", () => {
  it("answers a cached pod and NAD from memory: no direct read", async () => {
    const { pods, nads, direct, view } = setup();
    pods.sync().put(podObject("ns1", "web", "u1", { "k8s.v1.cni.cncf.io/networks": "mv" }));
    nads.sync().put(nadObject("ns1", "mv", '{"type":"macvlan"}'));
    const pod = await view.forPod("u1").getPod("ns1", "web");
    const nad = await view.getNetworkAttachmentDefinition("ns1", "mv");
    expect(pod).toEqual({
      namespace: "ns1",
      name: "web",
      uid: "u1",
      annotations: { "k8s.v1.cni.cncf.io/networks": "mv" },
      resourceVersion: "7",
    });
    expect(nad).toEqual({ namespace: "ns1", name: "mv", annotations: {}, config: '{"type":"macvlan"}' });
    expect(direct.calls).toEqual([]);
    expect(view.directReads).toEqual({ pods: 0, nads: 0 });
  });

  it("waits for a pod the informer has not delivered yet, and takes it when it comes", async () => {
    const { pods, direct, view, clock } = setup();
    pods.sync();
    const answer = view.forPod("u2").getPod("ns1", "new");
    await clock.waitForTimers(1);
    clock.advance(500);
    pods.put(podObject("ns1", "new", "u2"));
    expect((await answer)?.uid).toBe("u2");
    expect(direct.calls).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("asks directly once after podMissWaitMs when the informer does not bring the pod", async () => {
    const { pods, direct, view, clock } = setup();
    pods.sync();
    direct.addPod({ namespace: "ns1", name: "late", uid: "u3", annotations: {} });
    const answer = view.getPod("ns1", "late");
    await clock.waitForTimers(1);
    clock.advance(1_000);
    expect((await answer)?.uid).toBe("u3");
    expect(direct.callsOf("getPod")).toEqual([{ method: "getPod", namespace: "ns1", name: "late" }]);
    expect(view.directReads.pods).toBe(1);
  });

  it("treats a pod cached under another UID as a miss for this sandbox (re-created under its name)", async () => {
    const { pods, direct, view, clock } = setup();
    pods.sync().put(podObject("ns1", "db-0", "old-uid"));
    const answer = view.forPod("new-uid").getPod("ns1", "db-0");
    await clock.waitForTimers(1);
    pods.put(podObject("ns1", "db-0", "new-uid"));
    expect((await answer)?.uid).toBe("new-uid");
    expect(direct.calls).toEqual([]);
    // without a UID to compare with (the runtime gave none), the cached pod is the answer
    expect((await view.forPod("").getPod("ns1", "db-0"))?.uid).toBe("new-uid");
  });

  it("takes a static pod's mirror under any UID (the runtime's UID is never the mirror's)", async () => {
    const { pods, direct, view } = setup();
    pods.sync().put(podObject("kube-system", "etcd", "mirror", { "kubernetes.io/config.source": "file" }));
    expect((await view.forPod("static-uid").getPod("kube-system", "etcd"))?.uid).toBe("mirror");
    expect(direct.calls).toEqual([]);
  });

  it("asks directly at once for a NAD the cache does not have", async () => {
    const { nads, direct, view, clock } = setup();
    nads.sync();
    direct.addNad({ namespace: "ns1", name: "fresh", annotations: {} });
    expect(await view.getNetworkAttachmentDefinition("ns1", "fresh")).toMatchObject({ name: "fresh" });
    expect(await view.getNetworkAttachmentDefinition("ns1", "none")).toBeUndefined();
    expect(view.directReads.nads).toBe(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("before the first list: waits for it, answering from the cache once it is in", async () => {
    const { pods, direct, view, clock } = setup();
    const answer = view.getPod("ns1", "web");
    await clock.waitForTimers(1);
    pods.put(podObject("ns1", "web", "u1"));
    pods.sync();
    expect((await answer)?.uid).toBe("u1");
    expect(direct.calls).toEqual([]);
  });

  it("after waiting syncWaitMs in vain, asks directly, and later questions do not wait again", async () => {
    const { nads, direct, view, clock } = setup();
    direct.addNad({ namespace: "ns1", name: "mv", annotations: {} });
    const first = view.getNetworkAttachmentDefinition("ns1", "mv");
    await clock.waitForTimers(1);
    clock.advance(5_000);
    expect(await first).toMatchObject({ name: "mv" });
    const second = view.getNetworkAttachmentDefinition("ns1", "mv");
    await flushMicrotasks();
    expect(clock.pendingTimers()).toBe(0);
    expect(await second).toMatchObject({ name: "mv" });
    expect(view.directReads.nads).toBe(2);
    nads.sync().put(nadObject("ns1", "mv"));
    await view.getNetworkAttachmentDefinition("ns1", "mv");
    expect(view.directReads.nads).toBe(2); // synced now: from the cache
  });

  it("stop releases waiting questions to their direct read and removes its handler", async () => {
    const { pods, direct, view, clock } = setup();
    pods.sync();
    direct.addPod({ namespace: "ns1", name: "p", uid: "u", annotations: {} });
    const answer = view.getPod("ns1", "p");
    await clock.waitForTimers(1);
    view.stop();
    expect((await answer)?.uid).toBe("u");
    expect(pods.handlerCount).toBe(0);
  });
});
