// DRA device selectors (DeviceClass spec.selectors[].cel, a request's selectors[].cel) evaluated the way
// the scheduler does (k8s.io/dynamic-resource-allocation/cel), on @bufbuild/cel: the `device` variable of
// dra-device.ts, the Kubernetes quantity and semver libraries (k8s-functions.ts), @bufbuild/cel's strings
// extension (lowerAscii, upperAscii, split, join, replace, substring, trim, indexOf, format, ...),
// `cel.bind` (bind-macro.ts), the standard macros (has, all, exists, exists_one, map, filter) and
// `matches`. Pure.
//
// A selector matches a device when it evaluates to true; false is "no match"; any error — a missing
// attribute ("no such key: name"), an unbound function, a value that is not a bool — is reported as an
// error, and the device does not match, as for the scheduler (which also aborts that allocation attempt).
// Where @bufbuild/cel differs from the API server's compile step: there is no type check before
// evaluation, so `device.driver == 1` is simply false (the API server refuses it when the class is
// written), and the optional syntax (`?.`, `[?`) does not parse.
//
// Public API: `CompiledSelector`, `SelectorOutcome`, `DeviceMatch`, `compileSelector`,
// `evaluateSelector`, `matchDevice`.
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import type { CelEnv, CelMap, CelResult } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { expandBindMacros } from "./bind-macro.ts";
import { draDeviceBinding } from "./dra-device.ts";
import type { DraDeviceInput } from "./dra-device.ts";
import { K8S_FUNCTIONS } from "./k8s-functions.ts";
import { CEL_TYPE_REGISTRY } from "./object-types.ts";

export type CompiledSelector =
  | { ok: true; expression: string; run: (device: CelMap) => CelResult }
  | { ok: false; expression: string; message: string };

export type SelectorOutcome = { kind: "match" } | { kind: "no-match" } | { kind: "error"; message: string };

export interface DeviceMatch {
  matches: boolean;
  /** The first selector that did not match, by position in the list given. */
  rejectedBy?: { index: number; outcome: Exclude<SelectorOutcome, { kind: "match" }> };
}

let environment: CelEnv | undefined;

function draEnvironment(): CelEnv {
  environment ??= celEnv({ funcs: [...strings, ...K8S_FUNCTIONS], registry: CEL_TYPE_REGISTRY });
  return environment;
}

/** Parses and plans `expression`; a syntax error is "compilation failed: ...", as the API server says. */
export function compileSelector(expression: string): CompiledSelector {
  let parsed;
  try {
    parsed = expandBindMacros(parse(expression));
  } catch (err) {
    return { ok: false, expression, message: `compilation failed: ${(err as Error).message}` };
  }
  const program = plan(draEnvironment(), parsed);
  return { ok: true, expression, run: (device) => program({ device }) };
}

/** cel-go's wording for a missing map key ("no such key: x") where @bufbuild/cel says "field not found". */
function errorText(message: string): string {
  return message.replace(/^field not found: /, "no such key: ");
}

function outcomeOf(result: CelResult): SelectorOutcome {
  if (isCelError(result)) return { kind: "error", message: errorText(result.message) };
  if (typeof result !== "boolean") {
    return { kind: "error", message: "CEL result could not be converted to bool" };
  }
  return result ? { kind: "match" } : { kind: "no-match" };
}

/** One selector on one device. */
export function evaluateSelector(
  selector: CompiledSelector,
  device: DraDeviceInput | CelMap,
): SelectorOutcome {
  if (!selector.ok) return { kind: "error", message: selector.message };
  let bound: CelMap;
  if (isDeviceInput(device)) {
    const binding = draDeviceBinding(device);
    if (!binding.ok) return { kind: "error", message: binding.message };
    bound = binding.device;
  } else {
    bound = device;
  }
  try {
    return outcomeOf(selector.run(bound));
  } catch (err) {
    return { kind: "error", message: (err as Error).message };
  }
}

function isDeviceInput(value: DraDeviceInput | CelMap): value is DraDeviceInput {
  return typeof (value as DraDeviceInput).driver === "string";
}

/** Every selector in order (all must match, as a class's and a request's selectors are ANDed). */
export function matchDevice(selectors: readonly CompiledSelector[], device: DraDeviceInput): DeviceMatch {
  const binding = draDeviceBinding(device);
  for (const [index, selector] of selectors.entries()) {
    const outcome: SelectorOutcome = binding.ok
      ? evaluateSelector(selector, binding.device)
      : { kind: "error", message: binding.message };
    if (outcome.kind !== "match") return { matches: false, rejectedBy: { index, outcome } };
  }
  return { matches: true };
}
