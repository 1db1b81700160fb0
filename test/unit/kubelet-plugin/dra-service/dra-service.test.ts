// DraService over a scripted preparer: one answer per claim, failures stay with their claim,
// calls serialized per claim UID and concurrent across UIDs, cancellation reaches the preparer.
import { describe, expect, it } from "vitest";
import { DraService } from "../../../../src/kubelet-plugin/dra-service/dra-service.ts";
import type { DraObserver } from "../../../../src/kubelet-plugin/dra-service/ports.ts";
import { FakeClaimPreparer, defaultDevice } from "../../../fakes/claim-preparer.ts";

const claim = (name: string) => ({ namespace: "ns", name, uid: `uid-${name}` });

function recordingObserver() {
  const claims: string[] = [];
  const observer: DraObserver = {
    claimDone: (operation, result) => claims.push(`${operation}:${result}`),
    callDone: () => undefined,
  };
  return { observer, claims };
}

describe("DraService", () => {
  it("answers every claim of a batch; a failing claim does not fail the others", async () => {
    const preparer = new FakeClaimPreparer();
    preparer.prepareScripts.set("uid-bad", { error: "claim ns/bad: mtu: must be at least 68" });
    preparer.prepareScripts.set("uid-throws", { throws: "sysfs write failed" });
    const { observer, claims } = recordingObserver();
    const service = new DraService({ preparer, observer });
    const request = [claim("good"), claim("bad"), claim("throws")];
    const outcomes = await service.prepareResources(request, new AbortController().signal);
    expect([...outcomes.keys()]).toEqual(["uid-good", "uid-bad", "uid-throws"]);
    expect(outcomes.get("uid-good")).toEqual({ devices: [defaultDevice(claim("good"))] });
    expect(outcomes.get("uid-bad")).toEqual({ error: "claim ns/bad: mtu: must be at least 68" });
    expect(outcomes.get("uid-throws")).toEqual({ error: "prepare claim ns/throws: sysfs write failed" });
    expect(claims.sort()).toEqual(["prepare:error", "prepare:error", "prepare:success"]);
  });

  it("answers an empty request with an empty map", async () => {
    const service = new DraService({ preparer: new FakeClaimPreparer() });
    expect(await service.prepareResources([], new AbortController().signal)).toEqual(new Map());
    expect(await service.unprepareResources([], new AbortController().signal)).toEqual(new Map());
  });

  it("serializes calls for one claim and runs different claims concurrently", async () => {
    const preparer = new FakeClaimPreparer();
    const service = new DraService({ preparer });
    const signal = new AbortController().signal;
    preparer.hold("uid-a");
    preparer.hold("uid-b");
    const first = service.prepareResources([claim("a"), claim("b")], signal);
    const second = service.unprepareResources([claim("a")], signal);
    await preparer.started(2);
    // a and b run together; the unprepare of a waits for a's prepare.
    expect(preparer.runningFor("uid-a")).toBe(1);
    expect(preparer.runningFor("uid-b")).toBe(1);
    expect(preparer.calls.map((c) => `${c.operation} ${c.claim.name}`)).toEqual(["prepare a", "prepare b"]);
    preparer.release("uid-a");
    await preparer.started(3);
    expect(preparer.calls[2]).toMatchObject({ operation: "unprepare", claim: { name: "a" } });
    preparer.release("uid-b");
    await Promise.all([first, second]);
    expect(preparer.maxConcurrent).toBe(2);
    expect(preparer.maxConcurrentPerUid).toBe(1);
  });

  it("bounds the claims in flight per call", async () => {
    const preparer = new FakeClaimPreparer();
    const service = new DraService({ preparer, maxConcurrentClaims: 3 });
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const name of names) preparer.hold(`uid-${name}`);
    const call = service.prepareResources(names.map(claim), new AbortController().signal);
    await preparer.started(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(preparer.calls).toHaveLength(3);
    for (const name of names) preparer.release(`uid-${name}`);
    const outcomes = await call;
    expect(outcomes.size).toBe(10);
    expect(preparer.maxConcurrent).toBe(3);
  });

  it("passes the call's signal on and fails claims not started once it aborted", async () => {
    const preparer = new FakeClaimPreparer();
    const service = new DraService({ preparer, maxConcurrentClaims: 1 });
    const controller = new AbortController();
    preparer.hold("uid-a");
    const call = service.prepareResources([claim("a"), claim("b")], controller.signal);
    await preparer.started(1);
    controller.abort();
    expect(preparer.calls[0]?.signal.aborted).toBe(true);
    preparer.release("uid-a");
    const outcomes = await call;
    expect(outcomes.get("uid-b")).toEqual({ error: "prepare of claim ns/b cancelled before it started" });
    expect(preparer.calls).toHaveLength(1);
  });
});
