// Which lists are associative, for server-side apply (listType/listMapKeys) and strategic merge patch
// (patchStrategy/patchMergeKey), following the Go struct tags of k8s.io/api for the fields netclaim touches.
import type { ListRule } from "./types.ts";

/** Every kind: ObjectMeta's lists. */
export const METADATA_LIST_RULES: readonly ListRule[] = [
  { path: "metadata.finalizers", set: true, smpMergePrimitives: true },
  { path: "metadata.ownerReferences", keys: ["uid"], smpMergeKey: "uid" },
];

function containerRules(prefix: string): ListRule[] {
  return [
    { path: prefix, keys: ["name"], smpMergeKey: "name" },
    { path: `${prefix}[].env`, keys: ["name"], smpMergeKey: "name" },
    { path: `${prefix}[].ports`, keys: ["containerPort", "protocol"], smpMergeKey: "containerPort" },
    { path: `${prefix}[].volumeMounts`, keys: ["mountPath"], smpMergeKey: "mountPath" },
    { path: `${prefix}[].resources.claims`, keys: ["name"] },
  ];
}

const POD_RULES: readonly ListRule[] = [
  ...containerRules("spec.containers"),
  ...containerRules("spec.initContainers"),
  { path: "spec.volumes", keys: ["name"], smpMergeKey: "name" },
  { path: "spec.imagePullSecrets", keys: ["name"], smpMergeKey: "name" },
  { path: "spec.resourceClaims", keys: ["name"], smpMergeKey: "name" },
  { path: "status.conditions", keys: ["type"], smpMergeKey: "type" },
  { path: "status.podIPs", keys: ["ip"], smpMergeKey: "ip" },
  { path: "status.resourceClaimStatuses", keys: ["name"], smpMergeKey: "name" },
];

const NODE_RULES: readonly ListRule[] = [
  { path: "status.conditions", keys: ["type"], smpMergeKey: "type" },
  { path: "status.addresses", keys: ["type"], smpMergeKey: "type" },
];

const RESOURCE_CLAIM_RULES: readonly ListRule[] = [
  { path: "status.devices", keys: ["driver", "device", "pool", "shareID"] },
  { path: "status.devices[].conditions", keys: ["type"], smpMergeKey: "type" },
  { path: "status.reservedFor", keys: ["uid"], smpMergeKey: "uid" },
];

const CRD_RULES: readonly ListRule[] = [
  { path: "spec.versions", keys: ["name"] },
  { path: "status.conditions", keys: ["type"], smpMergeKey: "type" },
];

/** Rules per `group/plural` of built-in resources. */
export const BUILTIN_LIST_RULES: Readonly<Record<string, readonly ListRule[]>> = {
  "/pods": POD_RULES,
  "/nodes": NODE_RULES,
  "resource.k8s.io/resourceclaims": RESOURCE_CLAIM_RULES,
  "apiextensions.k8s.io/customresourcedefinitions": CRD_RULES,
};

/** Strips list steps: `status.devices[].conditions` for a path seen as ["status","devices","[]","conditions"]. */
export function schemaPathOf(steps: readonly string[]): string {
  let out = "";
  for (const step of steps) {
    if (step === "[]") out += "[]";
    else out += out === "" ? step : `.${step}`;
  }
  return out;
}

export function findListRule(rules: readonly ListRule[], schemaPath: string): ListRule | undefined {
  return rules.find((rule) => rule.path === schemaPath);
}

/** Rules from a CRD's openAPIV3Schema (`x-kubernetes-list-type: map|set`, `x-kubernetes-list-map-keys`). */
export function listRulesFromSchema(schema: unknown, path = ""): ListRule[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const out: ListRule[] = [];
  if (node["type"] === "array") {
    const listType = node["x-kubernetes-list-type"];
    const keys = node["x-kubernetes-list-map-keys"];
    if (listType === "map" && Array.isArray(keys)) out.push({ path, keys: keys.map(String) });
    if (listType === "set") out.push({ path, set: true });
    out.push(...listRulesFromSchema(node["items"], `${path}[]`));
  }
  const properties = node["properties"];
  if (typeof properties === "object" && properties !== null) {
    for (const [name, child] of Object.entries(properties)) {
      out.push(...listRulesFromSchema(child, path === "" ? name : `${path}.${name}`));
    }
  }
  return out;
}
