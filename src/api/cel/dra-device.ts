// The `device` variable of a DRA selector (k8s.io/dynamic-resource-allocation/cel, compile.go), built from
// one ResourceSlice device:
//   device.driver                    string
//   device.allowMultipleAllocations  bool (false when the slice does not say)
//   device.attributes[domain][id]    int, bool, string or Semver (version attributes); lists of those
//                                    for the list-valued attributes (DRAListTypeAttributes)
//   device.capacity[domain][id]      Quantity
// A qualified name `domain/id` goes under its domain, a bare `id` under the driver's name. Looking up a
// domain the device has nothing in gives an empty map (so `"x" in device.attributes["other.example"]`
// is false, and `device.attributes["other.example"].x` fails with "no such key"), while `"domain" in
// device.attributes` stays false for it — Kubernetes' mapper with a default. A missing id inside a
// domain is an error, which the selector reports as the device not matching. An attribute without a
// value, or a version that is not semver, fails the whole device as Kubernetes does. Pure.
//
// Public API: `DraAttributeValue`, `DraCapacityValue`, `DraDeviceInput`, `DeviceBinding`,
// `parseQualifiedName`, `draDeviceBinding`.
import { celList, celMap } from "@bufbuild/cel";
import type { CelMap, CelValue } from "@bufbuild/cel";
import { celQuantity, celSemver } from "./object-types.ts";
import { parseQuantity } from "./quantity.ts";
import { parseSemver } from "./semver.ts";

export interface DraAttributeValue {
  int?: number | bigint;
  bool?: boolean;
  string?: string;
  version?: string;
  ints?: readonly (number | bigint)[];
  bools?: readonly boolean[];
  strings?: readonly string[];
  versions?: readonly string[];
}

export interface DraCapacityValue {
  /** A quantity as the API writes it ("10Gi", "1500m") or a plain number. */
  value: string | number;
}

export interface DraDeviceInput {
  driver: string;
  attributes?: Readonly<Record<string, DraAttributeValue>>;
  capacity?: Readonly<Record<string, DraCapacityValue>>;
  allowMultipleAllocations?: boolean;
}

export type DeviceBinding = { ok: true; device: CelMap } | { ok: false; message: string };

/** `domain/id` → [domain, id]; a bare id belongs to `defaultDomain`. */
export function parseQualifiedName(name: string, defaultDomain: string): [string, string] {
  const slash = name.indexOf("/");
  return slash < 0 ? [defaultDomain, name] : [name.slice(0, slash), name.slice(slash + 1)];
}

const MAP_MARK = Symbol.for("@bufbuild/cel/map");
const EMPTY = celMap(new Map());

/**
 * device.attributes / device.capacity: a CelMap whose lookups of an absent domain give an empty map
 * while `has` (CEL `in`, `has()`) says false. @bufbuild/cel recognises maps by its registered symbol.
 */
class DomainMap {
  readonly [MAP_MARK] = {};
  readonly #domains: ReadonlyMap<string, CelMap>;

  constructor(domains: ReadonlyMap<string, CelMap>) {
    this.#domains = domains;
  }

  get size(): number {
    return this.#domains.size;
  }

  get(key: unknown): CelValue | undefined {
    if (typeof key !== "string") return undefined;
    return this.#domains.get(key) ?? EMPTY;
  }

  has(key: unknown): boolean {
    return typeof key === "string" && this.#domains.has(key);
  }

  forEach(callback: (value: CelValue, key: string, map: this) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#domains) callback.call(thisArg, value, key, this);
  }

  entries(): IterableIterator<[string, CelValue]> {
    return this.#domains.entries();
  }

  keys(): IterableIterator<string> {
    return this.#domains.keys();
  }

  values(): IterableIterator<CelValue> {
    return this.#domains.values();
  }

  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }
}

function domainMap(nested: Map<string, Map<string, CelValue>>): CelMap {
  const domains = new Map([...nested].map(([domain, ids]): [string, CelMap] => [domain, celMap(ids)]));
  return new DomainMap(domains) as unknown as CelMap;
}

function version(text: string): CelValue {
  const parsed = parseSemver(text);
  if (!parsed.ok) throw new Error(`parse semantic version: ${parsed.message}`);
  return celSemver(parsed.version);
}

function attributeValue(attr: DraAttributeValue): CelValue {
  if (attr.int !== undefined) return BigInt(attr.int);
  if (attr.bool !== undefined) return attr.bool;
  if (attr.string !== undefined) return attr.string;
  if (attr.version !== undefined) return version(attr.version);
  if (attr.ints !== undefined) return celList(attr.ints.map((i) => BigInt(i)));
  if (attr.bools !== undefined) return celList([...attr.bools]);
  if (attr.strings !== undefined) return celList([...attr.strings]);
  if (attr.versions !== undefined) return celList(attr.versions.map(version));
  throw new Error("unsupported attribute value");
}

function capacityValue(capacity: DraCapacityValue): CelValue {
  const parsed = parseQuantity(String(capacity.value));
  if (!parsed.ok) throw new Error(parsed.message);
  return celQuantity(parsed.quantity);
}

function nest<T>(
  entries: Readonly<Record<string, T>> | undefined,
  driver: string,
  what: string,
  convert: (value: T) => CelValue,
): Map<string, Map<string, CelValue>> {
  const nested = new Map<string, Map<string, CelValue>>();
  for (const [name, raw] of Object.entries(entries ?? {})) {
    let value: CelValue;
    try {
      value = convert(raw);
    } catch (err) {
      throw new Error(`${what} ${name}: ${(err as Error).message}`, { cause: err });
    }
    const [domain, id] = parseQualifiedName(name, driver);
    const ids = nested.get(domain) ?? new Map<string, CelValue>();
    ids.set(id, value);
    nested.set(domain, ids);
  }
  return nested;
}

/** The `device` variable for `input`, or why the device cannot be evaluated at all. */
export function draDeviceBinding(input: DraDeviceInput): DeviceBinding {
  try {
    const attributes = nest(input.attributes, input.driver, "attribute", attributeValue);
    const capacity = nest(input.capacity, input.driver, "capacity", capacityValue);
    const device = celMap(
      new Map<string, CelValue>([
        ["driver", input.driver],
        ["allowMultipleAllocations", input.allowMultipleAllocations ?? false],
        ["attributes", domainMap(attributes)],
        ["capacity", domainMap(capacity)],
      ]),
    );
    return { ok: true, device };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
