// The claims' status.devices writes off the ADD's path: queued at once, coalesced per claim and device set,
// retried with backoff, not retried for another manager's fields or a vanished claim, dropped on DEL.
// Time is a FakeClock.
import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../src/common/errors.ts";
import { ClaimStatusQueue } from "../../../../src/cni/server/claim-status-queue.ts";
import type { ClaimDeviceStatus, ClaimStatusWriter } from "../../../../src/cni/engine/ports.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { captureLogger } from "../../../fakes/logger.ts";

class ScriptedWriter implements ClaimStatusWriter {
  readonly writes: { claim: string; devices: string[]; ifName: string }[] = [];
  failures: Error[] = [];
  hold: Promise<void> | undefined;

  async writeDeviceStatuses(
    claim: { namespace: string; name: string },
    devices: readonly ClaimDeviceStatus[],
  ): Promise<void> {
    this.writes.push({
      claim: `${claim.namespace}/${claim.name}`,
      devices: devices.map((d) => d.device),
      ifName: devices[0]?.networkData.interfaceName ?? "",
    });
    if (this.hold !== undefined) await this.hold;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
  }
}

function setup() {
  const clock = new FakeClock();
  const writer = new ScriptedWriter();
  const log = captureLogger();
  const queue = new ClaimStatusQueue({
    writer,
    logger: log.logger,
    clock,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 },
  });
  return { clock, writer, queue, log };
}

const device = (name: string, ifName = "net1"): ClaimDeviceStatus => ({
  driver: "netclaim.dev",
  pool: "node-1",
  device: name,
  networkData: { interfaceName: ifName, ips: ["10.0.0.2/24"] },
  message: "attached",
});
const claim = (name: string) => ({ namespace: "ns", name });

describe("ClaimStatusQueue", () => {
  it("answers the engine at once and writes in the background", async () => {
    const { writer, queue } = setup();
    writer.hold = new Promise<void>(() => undefined);
    let resolved = false;
    void queue
      .forContainer("c1")
      .writeDeviceStatuses(claim("a"), [device("nic0")])
      .then(() => (resolved = true));
    await flushMicrotasks();
    expect(resolved).toBe(true);
    expect(writer.writes).toEqual([{ claim: "ns/a", devices: ["nic0"], ifName: "net1" }]);
  });

  it("coalesces writes of the same claim and devices; keeps different device sets apart", async () => {
    const { writer, queue } = setup();
    let release!: () => void;
    writer.hold = new Promise<void>((r) => (release = r));
    const w = queue.forContainer("c1");
    await w.writeDeviceStatuses(claim("a"), [device("nic0", "net1")]);
    await w.writeDeviceStatuses(claim("a"), [device("nic0", "net2")]);
    await w.writeDeviceStatuses(claim("a"), [device("nic0", "net3")]);
    await w.writeDeviceStatuses(claim("a"), [device("nic1", "net4")]);
    release();
    await queue.idle();
    expect(writer.writes.map((x) => `${x.devices.join()}:${x.ifName}`)).toEqual([
      "nic0:net1",
      "nic1:net4",
      "nic0:net3",
    ]);
    expect(queue.stats()).toMatchObject({ written: 3, coalesced: 1 });
  });

  it("retries a transient failure with backoff", async () => {
    const { clock, writer, queue } = setup();
    writer.failures = [new Error("apply status.devices: 503")];
    await queue.forContainer("c1").writeDeviceStatuses(claim("a"), [device("nic0")]);
    await flushMicrotasks();
    expect(writer.writes).toHaveLength(1);
    clock.advance(100);
    await queue.idle();
    expect(writer.writes).toHaveLength(2);
    expect(queue.stats()).toMatchObject({ written: 1, failed: 0 });
  });

  it.each([
    ["CLAIM_STATUS_CONFLICT", "fields owned by another manager"],
    ["CLAIM_NOT_FOUND", "the claim is gone"],
  ])("gives up at once on %s", async (code, message) => {
    const { writer, queue, log } = setup();
    writer.failures = [new CodedError(code, message)];
    await queue.forContainer("c1").writeDeviceStatuses(claim("a"), [device("nic0")]);
    await queue.idle();
    expect(writer.writes).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ failed: 1, written: 0 });
    expect(log.lines().map((l) => l.msg)).toContain("claim status.devices write failed; giving up");
  });

  it("drops the queued writes of a container whose DEL came", async () => {
    const { writer, queue } = setup();
    let release!: () => void;
    writer.hold = new Promise<void>((r) => (release = r));
    for (const name of ["a", "b", "c", "d"]) {
      await queue.forContainer("c1").writeDeviceStatuses(claim(name), [device("nic0")]);
    }
    // four writes run (the concurrency); c2's wait behind them
    await queue.forContainer("c2").writeDeviceStatuses(claim("e"), [device("nic1")]);
    await queue.forContainer("c2").writeDeviceStatuses(claim("f"), [device("nic2")]);
    expect(queue.forgetContainer("c2")).toBe(2);
    release();
    await queue.idle();
    expect(writer.writes.map((w) => w.claim)).toEqual(["ns/a", "ns/b", "ns/c", "ns/d"]);
    expect(queue.stats()).toMatchObject({ written: 4, dropped: 2 });
  });

  it("ignores an empty device list", async () => {
    const { writer, queue } = setup();
    await queue.forContainer("c1").writeDeviceStatuses(claim("a"), []);
    await queue.idle();
    expect(writer.writes).toEqual([]);
  });
});
