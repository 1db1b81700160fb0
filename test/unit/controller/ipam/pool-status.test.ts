// renderPoolStatus: counts (allocated objects; size and free of the usable set as decimal strings),
// Ready and Exhausted conditions, transition times kept, no write when unchanged.
import { describe, expect, it } from "vitest";
import type { IPPoolStatus } from "../../../../src/api/ip-pool.ts";
import { renderPoolStatus } from "../../../../src/controller/ipam/pool-status.ts";
import type { PoolState } from "../../../../src/controller/ipam/decide.ts";
import { allocation, NOW, poolObject, readyPool } from "./support.ts";

const LATER = "2026-01-02T09:00:00Z";
const spec = { cidrs: ["10.10.0.0/30", "fd00::/64"] };

function render(state: PoolState, addresses: string[], status?: IPPoolStatus) {
  if (state.state === "missing") throw new Error("missing");
  const pool = { ...poolObject("pool-a", spec), ...(status === undefined ? {} : { status }) };
  return renderPoolStatus({ pool, state, allocations: addresses.map((a) => allocation(a)), now: LATER });
}

describe("renderPoolStatus", () => {
  const ready = readyPool("pool-a", spec);
  const size = 2n + (1n << 64n) - 1n;

  it("counts and conditions", () => {
    const r = render(ready, ["10.10.0.1/30", "fd00::1/64", "10.99.0.1/24"]);
    expect(r.status).toEqual({
      allocated: 3,
      size: size.toString(),
      free: (size - 2n).toString(),
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Valid",
          message: `${size} usable addresses`,
          lastTransitionTime: LATER,
        },
        {
          type: "Exhausted",
          status: "False",
          reason: "FreeAddresses",
          message: `${size - 2n} addresses free`,
          lastTransitionTime: LATER,
        },
      ],
    });
    expect(r.changed).toBe(true);
  });

  it("exhausted", () => {
    const r = render(readyPool("pool-a", { cidrs: ["10.10.0.0/31"] }), ["10.10.0.0/31", "10.10.0.1/31"]);
    expect(r.status.free).toBe("0");
    expect(r.status.conditions?.[1]).toMatchObject({
      type: "Exhausted",
      status: "True",
      reason: "NoFreeAddresses",
    });
  });

  it("invalid: Ready False with the problems, no counts of the usable set", () => {
    const r = render({ state: "invalid", name: "pool-a", problems: ["cidrs: a", "gateway: b"] }, [
      "10.10.0.1/30",
    ]);
    expect(r.status).toEqual({
      allocated: 1,
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: "False",
          reason: "InvalidSpec",
          message: "cidrs: a; gateway: b",
          lastTransitionTime: LATER,
        },
      ],
    });
    expect(r.usage).toBeUndefined();
  });

  it("unchanged: no write; times kept while statuses stay", () => {
    const first = render(ready, ["10.10.0.1/30"]);
    const again = render(ready, ["10.10.0.1/30"], first.status);
    expect(again.changed).toBe(false);
    const older = {
      ...first.status,
      conditions: first.status.conditions!.map((c) => ({ ...c, lastTransitionTime: NOW })),
    };
    const more = render(ready, ["10.10.0.1/30", "10.10.0.2/30"], older);
    expect(more.changed).toBe(true);
    expect(more.status.conditions?.map((c) => c.lastTransitionTime)).toEqual([NOW, NOW]);
  });
});
