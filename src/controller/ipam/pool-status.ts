// Pure: an IPPool's status from its spec and the IPAllocation objects naming it.
//   allocated   IPAllocation objects of the pool (addresses outside the usable set included: they are
//               held, e.g. after the spec shrank)
//   size, free  usable addresses, and those of them not allocated (decimal strings; absent when invalid)
//   conditions  Ready: True Valid | False InvalidSpec (the problems);
//               Exhausted: True NoFreeAddresses | False FreeAddresses (valid pools only)
// lastTransitionTime is kept while a condition's status stays; `changed` is false when the pool already
// shows exactly this.
//
// Public API: `PoolUsage`, `PoolStatusRender`, `renderPoolStatus`.
import { parseInterfaceAddress } from "../../api/ip-address.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import type { IPPool, IPPoolStatus, PoolCondition } from "../../api/ip-pool.ts";
import type { PoolState } from "./decide.ts";
import { containsAddress, poolSize } from "./pool-math.ts";

export interface PoolUsage {
  allocated: number;
  size: bigint;
  free: bigint;
}

export interface PoolStatusRender {
  status: IPPoolStatus;
  changed: boolean;
  usage?: PoolUsage;
}

interface PoolStatusInputs {
  pool: IPPool;
  state: Exclude<PoolState, { state: "missing" }>;
  allocations: readonly IPAllocation[];
  now: string;
}

function withTime(
  previous: readonly PoolCondition[],
  next: Omit<PoolCondition, "lastTransitionTime">,
  now: string,
) {
  const old = previous.find((c) => c.type === next.type);
  return {
    ...next,
    lastTransitionTime: old !== undefined && old.status === next.status ? old.lastTransitionTime : now,
  };
}

function usageOf(inputs: PoolStatusInputs): PoolUsage | undefined {
  if (inputs.state.state !== "ready") return undefined;
  const { layout } = inputs.state;
  let inPool = 0n;
  for (const a of inputs.allocations) {
    const parsed = parseInterfaceAddress(a.spec.address);
    if (typeof parsed !== "string" && containsAddress(layout, parsed.ip)) inPool++;
  }
  const size = poolSize(layout);
  return { allocated: inputs.allocations.length, size, free: size > inPool ? size - inPool : 0n };
}

function conditionsEqual(a: readonly PoolCondition[], b: readonly PoolCondition[]): boolean {
  const fields = ["type", "status", "reason", "message", "lastTransitionTime"] as const;
  return a.length === b.length && a.every((x, i) => fields.every((f) => x[f] === b[i]![f]));
}

export function renderPoolStatus(inputs: PoolStatusInputs): PoolStatusRender {
  const previous = inputs.pool.status?.conditions ?? [];
  const usage = usageOf(inputs);
  const conditions: PoolCondition[] = [];
  if (inputs.state.state === "invalid") {
    const message = inputs.state.problems.join("; ");
    conditions.push(
      withTime(previous, { type: "Ready", status: "False", reason: "InvalidSpec", message }, inputs.now),
    );
  } else if (usage !== undefined) {
    const ready = {
      type: "Ready",
      status: "True",
      reason: "Valid",
      message: `${usage.size} usable addresses`,
    } as const;
    conditions.push(withTime(previous, ready, inputs.now));
    const exhausted =
      usage.free === 0n
        ? ({
            type: "Exhausted",
            status: "True",
            reason: "NoFreeAddresses",
            message: "every usable address is allocated",
          } as const)
        : ({
            type: "Exhausted",
            status: "False",
            reason: "FreeAddresses",
            message: `${usage.free} addresses free`,
          } as const);
    conditions.push(withTime(previous, exhausted, inputs.now));
  }
  const status: IPPoolStatus = { allocated: inputs.allocations.length, conditions };
  if (usage !== undefined)
    Object.assign(status, { size: usage.size.toString(), free: usage.free.toString() });
  const generation = inputs.pool.metadata?.generation;
  if (generation !== undefined) status.observedGeneration = generation;
  const current = inputs.pool.status ?? {};
  const same =
    current.allocated === status.allocated &&
    current.size === status.size &&
    current.free === status.free &&
    current.observedGeneration === status.observedGeneration &&
    conditionsEqual(current.conditions ?? [], conditions);
  return { status, changed: !same, ...(usage === undefined ? {} : { usage }) };
}
