// LayeredDeviceSource: readers asked in order, skipped once the devices are settled, failures passed
// over with a warning, answers merged.
import { describe, expect, it } from "vitest";
import { LayeredDeviceSource } from "../../../../src/cni/correlation/device-source.ts";
import type { PodDeviceReader, ReaderSkip } from "../../../../src/cni/correlation/device-source.ts";
import type { CandidateDevice, DeviceSourceName } from "../../../../src/cni/correlation/types.ts";
import type { DeviceQuery } from "../../../../src/cni/engine/ports.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";
import { captureLogger } from "../../../fakes/logger.ts";

class ScriptedReader implements PodDeviceReader {
  readonly name: DeviceSourceName;
  readonly skipWhen: ReaderSkip;
  readonly answer: CandidateDevice[] | Error;
  calls = 0;

  constructor(name: DeviceSourceName, skipWhen: ReaderSkip, answer: CandidateDevice[] | Error) {
    this.name = name;
    this.skipWhen = skipWhen;
    this.answer = answer;
  }

  read(): Promise<CandidateDevice[]> {
    this.calls++;
    return this.answer instanceof Error ? Promise.reject(this.answer) : Promise.resolve(this.answer);
  }
}

function query(...resourceNames: string[]): DeviceQuery {
  return {
    pod: { namespace: "ns1", name: "pod-a", uid: "uid-a" },
    needs: resourceNames.map((resourceName, i) => ({ index: i + 1, network: `ns1/n${i}`, resourceName })),
  };
}

const byAttr = claimDevice({ device: "sf-1", resourceNameAttr: "sf-pool-1" });
const byClaim = claimDevice({ device: "vf-1", claimName: "uplink" });

interface Case {
  name: string;
  resourceNames: string[];
  checkpoint: CandidateDevice[] | Error;
  podResources: CandidateDevice[] | Error;
  api: CandidateDevice[] | Error;
  wantCalls: [number, number, number];
  wantConsulted: DeviceSourceName[];
  wantDevices: string[];
}

const CASES: Case[] = [
  {
    name: "the checkpoint settles every network by attribute: nothing else is asked",
    resourceNames: ["sf-pool-1"],
    checkpoint: [byAttr],
    podResources: [],
    api: [],
    wantCalls: [1, 0, 0],
    wantConsulted: ["checkpoint"],
    wantDevices: ["sf-1"],
  },
  {
    name: "settled by claim name only: PodResources is asked, the API is not",
    resourceNames: ["uplink"],
    checkpoint: [byClaim],
    podResources: [pluginDevice("intel.com/vf", "0000:af:0a.3")],
    api: [],
    wantCalls: [1, 1, 0],
    wantConsulted: ["checkpoint", "podresources"],
    wantDevices: ["vf-1", "0000:af:0a.3"],
  },
  {
    name: "the node-local sources know nothing: the API is asked",
    resourceNames: ["sf-pool-1"],
    checkpoint: [],
    podResources: [],
    api: [byAttr],
    wantCalls: [1, 1, 1],
    wantConsulted: ["checkpoint", "podresources", "api"],
    wantDevices: ["sf-1"],
  },
  {
    name: "a corrupt checkpoint is passed over",
    resourceNames: ["sf-pool-1"],
    checkpoint: new Error("checkpoint /var/lib/netclaim/checkpoint.json is corrupt (bad-checksum): ..."),
    podResources: [byAttr],
    api: [],
    wantCalls: [1, 1, 0],
    wantConsulted: ["podresources"],
    wantDevices: ["sf-1"],
  },
  {
    name: "every source fails: no devices, nothing consulted",
    resourceNames: ["sf-pool-1"],
    checkpoint: new Error("a"),
    podResources: new Error("b"),
    api: new Error("c"),
    wantCalls: [1, 1, 1],
    wantConsulted: [],
    wantDevices: [],
  },
  {
    name: "the same device from two sources is listed once",
    resourceNames: ["sf-pool-1", "sf-pool-1"],
    checkpoint: [byAttr],
    podResources: [{ ...byAttr, sources: ["podresources"] }],
    api: [claimDevice({ device: "sf-2", resourceNameAttr: "sf-pool-1", sources: ["api"] })],
    wantCalls: [1, 1, 1],
    wantConsulted: ["checkpoint", "podresources", "api"],
    wantDevices: ["sf-1", "sf-2"],
  },
];

describe("LayeredDeviceSource", () => {
  it.each(CASES)("$name", async (c) => {
    const readers = [
      new ScriptedReader("checkpoint", "never", c.checkpoint),
      new ScriptedReader("podresources", "all-by-attribute", c.podResources),
      new ScriptedReader("api", "all-found", c.api),
    ];
    const log = captureLogger();
    const source = new LayeredDeviceSource({ readers, logger: log.logger });
    const answer = await source.devicesFor(query(...c.resourceNames));
    expect(readers.map((r) => r.calls)).toEqual(c.wantCalls);
    expect(answer.consulted).toEqual(c.wantConsulted);
    expect(answer.candidates.map((d) => d.device)).toEqual(c.wantDevices);
    const failed = [c.checkpoint, c.podResources, c.api].filter((a) => a instanceof Error).length;
    expect(log.lines().filter((l) => l.msg === "device source failed: trying the next one")).toHaveLength(
      failed,
    );
  });

  it("stops on abort", async () => {
    const controller = new AbortController();
    const aborting: PodDeviceReader = {
      name: "checkpoint",
      skipWhen: "never",
      read: () => {
        controller.abort(new Error("runtime gave up"));
        return Promise.reject(new Error("read cancelled"));
      },
    };
    const next = new ScriptedReader("api", "never", []);
    const source = new LayeredDeviceSource({ readers: [aborting, next], logger: captureLogger().logger });
    await expect(source.devicesFor(query("x"), controller.signal)).rejects.toThrow("runtime gave up");
    expect(next.calls).toBe(0);
  });
});
