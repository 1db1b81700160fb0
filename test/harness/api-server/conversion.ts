// Version conversion between the stored shape (the storage version) and the version a request uses.
// resource.k8s.io stores v1; v1beta2 has the same shape for what netclaim uses; v1beta1 differs in
// ResourceSlice devices (`basic: {...}` wrapper) and in claim requests (flat instead of `exactly: {...}`).
import { groupVersion } from "./registry.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** v1beta1 DeviceRequest fields that v1 moves under `exactly`. */
const EXACT_REQUEST_FIELDS = [
  "deviceClassName",
  "selectors",
  "allocationMode",
  "count",
  "adminAccess",
  "tolerations",
  "capacity",
] as const;

function requestToV1(request: Json): Json {
  const out: Json = {};
  const exactly: Json = {};
  for (const [key, value] of Object.entries(request)) {
    if ((EXACT_REQUEST_FIELDS as readonly string[]).includes(key)) exactly[key] = value;
    else out[key] = value;
  }
  if (Object.keys(exactly).length > 0) out["exactly"] = exactly;
  return out;
}

function requestToV1beta1(request: Json): Json {
  const { exactly, ...rest } = request;
  return isRecord(exactly) ? { ...rest, ...exactly } : rest;
}

function mapRequests(claimSpec: unknown, convert: (request: Json) => Json): void {
  if (!isRecord(claimSpec) || !isRecord(claimSpec["devices"])) return;
  const devices = claimSpec["devices"];
  if (Array.isArray(devices["requests"])) {
    devices["requests"] = devices["requests"].map((r: unknown) => (isRecord(r) ? convert(r) : r));
  }
}

function deviceToV1(device: Json): Json {
  const { basic, ...rest } = device;
  return isRecord(basic) ? { ...rest, ...basic } : rest;
}

function deviceToV1beta1(device: Json): Json {
  const { name, ...rest } = device;
  return { name, basic: rest };
}

function mapDevices(sliceSpec: unknown, convert: (device: Json) => Json): void {
  if (!isRecord(sliceSpec) || !Array.isArray(sliceSpec["devices"])) return;
  sliceSpec["devices"] = sliceSpec["devices"].map((d: unknown) => (isRecord(d) ? convert(d) : d));
}

function convertDra(kind: string, obj: KubeObject, toV1: boolean): void {
  if (kind === "ResourceClaim") mapRequests(obj["spec"], toV1 ? requestToV1 : requestToV1beta1);
  if (kind === "ResourceClaimTemplate" && isRecord(obj["spec"])) {
    mapRequests(obj["spec"]["spec"], toV1 ? requestToV1 : requestToV1beta1);
  }
  if (kind === "ResourceSlice") mapDevices(obj["spec"], toV1 ? deviceToV1 : deviceToV1beta1);
}

/** The stored shape of an object sent at `version`. */
export function toStorage(def: ResourceDef, version: string, obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  if (def.group === "resource.k8s.io" && version === "v1beta1") convertDra(def.kind, out, true);
  out.apiVersion = groupVersion(def.group, def.storageVersion);
  out.kind = def.kind;
  return out;
}

/** The stored object as a client of `version` sees it. */
export function fromStorage(def: ResourceDef, version: string, obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  if (def.group === "resource.k8s.io" && version === "v1beta1") convertDra(def.kind, out, false);
  const { apiVersion: _a, kind: _k, ...rest } = out;
  return { apiVersion: groupVersion(def.group, version), kind: def.kind, ...rest };
}
