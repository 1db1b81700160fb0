// Events as `kubectl describe` lists them: core/v1 shape and client-go's naming, the same event
// again bumps count and lastTimestamp, an event that vanished (TTL) is written anew, and a failed
// write never throws.
import { describe, expect, it } from "vitest";
import { EventRecorder, renderEvent } from "../../../../src/controller/runtime/event-recorder.ts";
import type { CoreEvent, EventSink } from "../../../../src/controller/runtime/event-recorder.ts";
import { ApiError } from "../../../../src/k8s/api-error.ts";
import { FakeClock } from "../../../fakes/clock.ts";

const NAD = {
  apiVersion: "k8s.cni.cncf.io/v1",
  kind: "NetworkAttachmentDefinition",
  namespace: "team-a",
  name: "sriov-net",
  uid: "u-1",
};

class FakeSink implements EventSink {
  created: CoreEvent[] = [];
  bumps: { namespace: string; name: string; patch: unknown }[] = [];
  bumpError: Error | undefined;
  createError: Error | undefined;
  create(event: CoreEvent): Promise<unknown> {
    if (this.createError) return Promise.reject(this.createError);
    this.created.push(structuredClone(event));
    return Promise.resolve(event);
  }
  bump(namespace: string, name: string, patch: unknown): Promise<unknown> {
    if (this.bumpError) return Promise.reject(this.bumpError);
    this.bumps.push({ namespace, name, patch });
    return Promise.resolve({});
  }
}

const notFound = () => new ApiError({ status: 404, reason: "NotFound", message: "gone" });

describe("renderEvent", () => {
  it("is a core/v1 Event named <object>.<hex nanoseconds> in the object's namespace", () => {
    const nowMs = Date.UTC(2025, 0, 1, 12, 0, 0);
    const event = renderEvent({
      target: NAD,
      type: "Warning",
      reason: "NoDeviceClass",
      message: "m",
      component: "netclaim-controller",
      instance: "host_1",
      nowMs,
      sequence: 3,
    });
    expect(event).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `sriov-net.${(BigInt(nowMs) * 1_000_000n + 3n).toString(16)}`,
        namespace: "team-a",
      },
      involvedObject: NAD,
      reason: "NoDeviceClass",
      message: "m",
      type: "Warning",
      source: { component: "netclaim-controller" },
      reportingComponent: "netclaim-controller",
      reportingInstance: "host_1",
      firstTimestamp: "2025-01-01T12:00:00Z",
      lastTimestamp: "2025-01-01T12:00:00Z",
      count: 1,
    });
  });

  it("puts events about cluster-scoped objects in default", () => {
    const { namespace: _, ...clusterScoped } = NAD;
    const event = renderEvent({
      target: clusterScoped,
      type: "Normal",
      reason: "R",
      message: "m",
      component: "c",
      instance: "i",
      nowMs: 0,
      sequence: 0,
    });
    expect(event.metadata?.namespace).toBe("default");
  });
});

describe("EventRecorder", () => {
  function recorder() {
    const sink = new FakeSink();
    const clock = new FakeClock();
    const reasons: string[] = [];
    const rec = new EventRecorder({
      sink,
      component: "netclaim-controller",
      instance: "i",
      clock,
      onEvent: (_t, r) => reasons.push(r),
    });
    return { sink, clock, rec, reasons };
  }

  it("bumps the count of a repeated event instead of writing another", async () => {
    const { sink, clock, rec, reasons } = recorder();
    await rec.record(NAD, "Warning", "NoDeviceClass", "no class");
    clock.advance(61_000);
    await rec.record(NAD, "Warning", "NoDeviceClass", "no class");
    await rec.record(NAD, "Warning", "NoPublishedDevice", "no device");
    expect(sink.created.map((e) => e.reason)).toEqual(["NoDeviceClass", "NoPublishedDevice"]);
    expect(sink.bumps).toEqual([
      {
        namespace: "team-a",
        name: sink.created[0]!.metadata!.name,
        patch: { count: 2, lastTimestamp: "2025-01-01T00:01:01Z" },
      },
    ]);
    expect(reasons).toEqual(["NoDeviceClass", "NoDeviceClass", "NoPublishedDevice"]);
  });

  it("writes a new event when the earlier one is gone", async () => {
    const { sink, rec } = recorder();
    await rec.record(NAD, "Warning", "NoDeviceClass", "no class");
    sink.bumpError = notFound();
    await rec.record(NAD, "Warning", "NoDeviceClass", "no class");
    expect(sink.created).toHaveLength(2);
    expect(sink.created[0]!.metadata!.name).not.toBe(sink.created[1]!.metadata!.name);
  });

  it("never throws when the API refuses", async () => {
    const { sink, rec } = recorder();
    sink.createError = new ApiError({ status: 403, reason: "Forbidden", message: "no RBAC" });
    await expect(rec.record(NAD, "Warning", "X", "y")).resolves.toBeUndefined();
    expect(sink.created).toEqual([]);
  });
});
