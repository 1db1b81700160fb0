// Semantic equality of ResourceSlice content, as apimachinery's equality.Semantic sees it: nil and
// empty lists/maps are equal, quantities compare by value ("1Gi" == "1024Mi", "1000m" == "1"), and
// fields the API server fills in (taint timeAdded, all of metadata) do not count. Content is reduced to
// one canonical string so that comparing 2,048 devices is one string comparison per slice.
import type { Device, DeviceCapacity, Quantity, ResourceSliceSpec } from "./resource-slice-types.ts";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * A quantity's value as "<mantissa>e<exponent>" with no trailing zeros in the mantissa, so that
 * equal values give equal strings: "1Gi" and "1024Mi" → "1073741824e0", "1500m" and "1.5" → "15e-1".
 * Not a quantity: the input as text, so that it still compares as itself.
 */
export function canonicalQuantity(quantity: Quantity): string {
  const text = String(quantity).trim();
  const cached = quantityCache.get(text);
  if (cached !== undefined) return cached;
  const canonical = parseQuantity(text);
  if (quantityCache.size >= QUANTITY_CACHE_SIZE) quantityCache.clear();
  quantityCache.set(text, canonical);
  return canonical;
}

/** Devices repeat the same few quantities ("25Gi" on every VF): parse each spelling once. */
const QUANTITY_CACHE_SIZE = 1024;
const quantityCache = new Map<string, string>();

function parseQuantity(text: string): string {
  const match = QUANTITY.exec(text);
  if (match === null) return `raw:${text}`;
  const [, sign = "", number = "", suffix = ""] = match;
  const [whole = "", fraction = ""] = number.split(".");
  let mantissa = BigInt(`${whole}${fraction}` || "0");
  let exponent = -fraction.length;
  if (suffix in BINARY_SUFFIXES) mantissa *= 2n ** BigInt(BINARY_SUFFIXES[suffix] ?? 0);
  else if (/^[eE]/.test(suffix)) exponent += Number(suffix.slice(1));
  else exponent += DECIMAL_SUFFIXES[suffix] ?? 0;
  if (mantissa === 0n) return "0e0";
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  return `${sign === "-" ? "-" : ""}${mantissa}e${exponent}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Drops what Go's omitempty and Semantic.DeepEqual treat as absent: undefined, null, "", empty lists
 * and maps. Map keys come out sorted so that JSON.stringify is canonical.
 */
export function pruneEmpty(value: unknown): Json | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => pruneEmpty(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) {
      const pruned = pruneEmpty((value as Record<string, unknown>)[key]);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  return typeof value === "bigint" ? value.toString() : undefined;
}

function canonicalCapacity(capacity: DeviceCapacity): unknown {
  const policy = capacity.requestPolicy;
  const q = (v: Quantity | undefined): string | undefined =>
    v === undefined ? undefined : canonicalQuantity(v);
  return {
    ...capacity,
    value: q(capacity.value),
    requestPolicy:
      policy === undefined
        ? undefined
        : {
            ...policy,
            default: q(policy.default),
            validValues: policy.validValues?.map((v) => canonicalQuantity(v)),
            validRange:
              policy.validRange === undefined
                ? undefined
                : {
                    min: q(policy.validRange.min),
                    max: q(policy.validRange.max),
                    step: q(policy.validRange.step),
                  },
          },
  };
}

function mapValues<V>(map: Record<string, V> | undefined, fn: (v: V) => unknown): unknown {
  if (map === undefined) return undefined;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, fn(v)]));
}

/** A device with quantities canonical and server-set taint times removed (still needs pruneEmpty). */
function canonicalDevice(device: Device): unknown {
  return {
    ...device,
    capacity: mapValues(device.capacity, canonicalCapacity),
    consumesCounters: device.consumesCounters?.map((c) => ({
      ...c,
      counters: mapValues(c.counters, (counter) => ({ value: canonicalQuantity(counter.value) })),
    })),
    // timeAdded is defaulted by the server and rounded to seconds: upstream ignores it when comparing.
    taints: device.taints?.map(({ timeAdded: _t, ...rest }) => rest),
  };
}

/**
 * The canonical text of what a slice publishes besides its pool: node selection, counters and the
 * devices in order (a reordering counts as a change, as upstream's DeepEqual does).
 */
export function sliceContentKey(spec: Omit<ResourceSliceSpec, "pool">): string {
  const content = {
    nodeName: spec.nodeName,
    nodeSelector: spec.nodeSelector,
    allNodes: spec.allNodes === true ? true : undefined,
    perDeviceNodeSelection: spec.perDeviceNodeSelection === true ? true : undefined,
    sharedCounters: spec.sharedCounters,
    devices: (spec.devices ?? []).map(canonicalDevice),
  };
  return JSON.stringify(pruneEmpty(content) ?? {});
}

/**
 * Desired devices with each taint's timeAdded taken over from the existing device's equal taint
 * (same key, value, effect), so that an update does not reset when a taint was first seen.
 */
export function carryTaintTimes(existing: readonly Device[], desired: readonly Device[]): Device[] {
  if (!desired.some((d) => (d.taints?.length ?? 0) > 0)) return [...desired];
  const byName = new Map(existing.map((d) => [d.name, d]));
  return desired.map((device) => {
    const old = byName.get(device.name);
    if (old?.taints === undefined || device.taints === undefined) return device;
    const taints = device.taints.map((taint) => {
      if (taint.timeAdded !== undefined) return taint;
      const same = old.taints?.find(
        (t) => t.key === taint.key && (t.value ?? "") === (taint.value ?? "") && t.effect === taint.effect,
      );
      return same?.timeAdded === undefined ? taint : { ...taint, timeAdded: same.timeAdded };
    });
    return { ...device, taints };
  });
}
