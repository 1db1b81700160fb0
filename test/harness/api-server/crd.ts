// Resource definitions served from CustomResourceDefinition objects and from the `resources` option.
import { defineResource } from "./builtin-resources.ts";
import { compareKubeVersions } from "./kube-versions.ts";
import { listRulesFromSchema } from "./list-rules.ts";
import type { FieldError } from "./status-errors.ts";
import type { KubeObject, ListRule, ResourceDef, ResourceType } from "./types.ts";

export function defFromResourceType(type: ResourceType): ResourceDef {
  const versions = type.versions ?? (type.version === undefined ? [] : [type.version]);
  if (versions.length === 0) throw new Error(`resource type ${type.plural}.${type.group} has no version`);
  return defineResource({
    group: type.group,
    versions,
    storageVersion: versions[0],
    kind: type.kind,
    listKind: type.listKind ?? `${type.kind}List`,
    plural: type.plural,
    singular: type.singular ?? type.kind.toLowerCase(),
    namespaced: type.namespaced,
    statusSubresource: type.statusSubresource ?? false,
    shortNames: type.shortNames ?? [],
    selectableFields: type.selectableFields ?? [],
    fieldLabelStyle: "core",
    generation: true,
    unconditionalUpdate: false,
    custom: true,
    statusOnCreate: type.statusSubresource === true ? "drop" : "keep",
    listRules: type.listRules ?? [],
  });
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  status: boolean;
  schema: unknown;
  selectableFields: string[];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function crdVersions(spec: Record<string, unknown>): CrdVersion[] {
  const versions = Array.isArray(spec["versions"]) ? spec["versions"] : [];
  return versions.map((raw) => {
    const v = record(raw);
    const selectable = Array.isArray(v["selectableFields"]) ? v["selectableFields"] : [];
    return {
      name: typeof v["name"] === "string" ? v["name"] : "",
      served: v["served"] === true,
      storage: v["storage"] === true,
      status: record(v["subresources"])["status"] !== undefined,
      schema: record(v["schema"])["openAPIV3Schema"],
      selectableFields: selectable.map((s) => {
        const path = record(s)["jsonPath"];
        return typeof path === "string" ? path.replace(/^\./, "") : "";
      }),
    };
  });
}

/** The few checks the CRD validation makes that matter for serving it. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const spec = record(crd["spec"]);
  const names = record(spec["names"]);
  const errors: FieldError[] = [];
  const required = (field: string, value: unknown): void => {
    if (typeof value !== "string" || value === "") {
      errors.push({ field, reason: "FieldValueRequired", detail: "Required value" });
    }
  };
  required("spec.group", spec["group"]);
  required("spec.names.plural", names["plural"]);
  required("spec.names.kind", names["kind"]);
  if (spec["scope"] !== "Namespaced" && spec["scope"] !== "Cluster") {
    errors.push({
      field: "spec.scope",
      reason: "FieldValueNotSupported",
      detail: `Unsupported value: "${String(spec["scope"])}": supported values: "Cluster", "Namespaced"`,
    });
  }
  const versions = crdVersions(spec);
  if (versions.filter((v) => v.storage).length !== 1) {
    errors.push({
      field: "spec.versions",
      reason: "FieldValueInvalid",
      detail: "Invalid value: must have exactly one version marked as storage version",
    });
  }
  const expectedName = `${String(names["plural"])}.${String(spec["group"])}`;
  if (crd.metadata?.name !== expectedName) {
    errors.push({
      field: "metadata.name",
      reason: "FieldValueInvalid",
      detail: `Invalid value: "${crd.metadata?.name ?? ""}": must be spec.names.plural+"."+spec.group`,
    });
  }
  return errors;
}

/** What a CRD serves, or undefined when none of its versions is served. */
export function defFromCrd(crd: KubeObject): ResourceDef | undefined {
  const spec = record(crd["spec"]);
  const names = record(spec["names"]);
  const versions = crdVersions(spec);
  const served = versions.filter((v) => v.served).sort((a, b) => compareKubeVersions(a.name, b.name));
  if (served.length === 0) return undefined;
  const storage = versions.find((v) => v.storage) ?? served[0];
  const kind = String(names["kind"]);
  const listRules: ListRule[] = listRulesFromSchema(storage?.schema);
  return defineResource({
    group: String(spec["group"]),
    versions: served.map((v) => v.name),
    storageVersion: storage?.name ?? served[0]?.name ?? "v1",
    kind,
    listKind: typeof names["listKind"] === "string" ? names["listKind"] : `${kind}List`,
    plural: String(names["plural"]),
    singular: typeof names["singular"] === "string" ? names["singular"] : kind.toLowerCase(),
    namespaced: spec["scope"] === "Namespaced",
    statusSubresource: served.some((v) => v.status),
    shortNames: Array.isArray(names["shortNames"]) ? names["shortNames"].map(String) : [],
    selectableFields: storage?.selectableFields ?? [],
    fieldLabelStyle: "core",
    generation: true,
    unconditionalUpdate: false,
    custom: true,
    statusOnCreate: served.some((v) => v.status) ? "drop" : "keep",
    listRules,
    crdName: crd.metadata?.name ?? "",
  });
}

/** The status the apiextensions controllers write once the names are accepted and the CRD is served. */
export function establishedStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = record(crd["spec"]);
  const storage = crdVersions(spec).find((v) => v.storage)?.name;
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status: "True",
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    acceptedNames: spec["names"] ?? {},
    storedVersions: storage === undefined ? [] : [storage],
  };
}
