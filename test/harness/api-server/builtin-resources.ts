// The resources kube-apiserver serves that netclaim uses, with the per-kind behaviour of their registry
// strategies (generation, status handling, field selectors, what DELETE returns).
import { compareKubeVersions } from "./kube-versions.ts";
import { BUILTIN_LIST_RULES, METADATA_LIST_RULES } from "./list-rules.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

type DefInput = Pick<ResourceDef, "group" | "kind" | "plural" | "namespaced"> & Partial<ResourceDef>;

export function defineResource(input: DefInput): ResourceDef {
  const versions = input.versions ?? ["v1"];
  const storageVersion = input.storageVersion ?? versions[0] ?? "v1";
  const key = `${input.group}/${input.plural}`;
  return {
    versions,
    storageVersion,
    listKind: `${input.kind}List`,
    singular: input.kind.toLowerCase(),
    statusSubresource: false,
    shortNames: [],
    selectableFields: [],
    namespaceField: true,
    fieldLabelStyle: "default",
    generation: false,
    returnDeletedObject: false,
    unconditionalUpdate: true,
    custom: false,
    statusOnCreate: "keep",
    gracefulDeletion: "none",
    ...input,
    listRules: [...METADATA_LIST_RULES, ...(BUILTIN_LIST_RULES[key] ?? []), ...(input.listRules ?? [])],
  };
}

const POD_FIELDS = [
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.schedulerName",
  "spec.serviceAccountName",
  "spec.hostNetwork",
  "status.phase",
  "status.podIP",
  "status.nominatedNodeName",
];

const EVENT_FIELDS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

function coreResources(): ResourceDef[] {
  const core = { group: "", fieldLabelStyle: "core" } as const;
  return [
    defineResource({
      ...core,
      kind: "Pod",
      plural: "pods",
      namespaced: true,
      statusSubresource: true,
      shortNames: ["po"],
      selectableFields: POD_FIELDS,
      generation: true,
      returnDeletedObject: true,
      statusOnCreate: "pod",
      gracefulDeletion: "pod",
    }),
    defineResource({
      ...core,
      kind: "Event",
      plural: "events",
      namespaced: true,
      shortNames: ["ev"],
      selectableFields: EVENT_FIELDS,
    }),
    defineResource({
      ...core,
      kind: "Node",
      plural: "nodes",
      namespaced: false,
      statusSubresource: true,
      shortNames: ["no"],
      selectableFields: ["spec.unschedulable"],
    }),
    defineResource({
      ...core,
      kind: "Namespace",
      plural: "namespaces",
      namespaced: false,
      statusSubresource: true,
      shortNames: ["ns"],
      selectableFields: ["status.phase"],
      returnDeletedObject: true,
      statusOnCreate: "namespace",
    }),
    defineResource({
      ...core,
      kind: "ConfigMap",
      plural: "configmaps",
      namespaced: true,
      shortNames: ["cm"],
    }),
    defineResource({
      ...core,
      kind: "Secret",
      plural: "secrets",
      namespaced: true,
      selectableFields: ["type"],
    }),
    defineResource({
      ...core,
      kind: "ServiceAccount",
      plural: "serviceaccounts",
      namespaced: true,
      shortNames: ["sa"],
      returnDeletedObject: true,
    }),
  ];
}

function draResources(served: readonly string[]): ResourceDef[] {
  const versions = [...served].sort(compareKubeVersions);
  const dra = {
    group: "resource.k8s.io",
    versions,
    storageVersion: "v1",
    returnDeletedObject: true,
  } as const;
  return [
    defineResource({
      ...dra,
      kind: "ResourceClaim",
      plural: "resourceclaims",
      namespaced: true,
      statusSubresource: true,
      statusOnCreate: "drop",
    }),
    defineResource({
      ...dra,
      kind: "ResourceClaimTemplate",
      plural: "resourceclaimtemplates",
      namespaced: true,
    }),
    defineResource({
      ...dra,
      kind: "ResourceSlice",
      plural: "resourceslices",
      namespaced: false,
      selectableFields: ["spec.nodeName", "spec.driver"],
      namespaceField: false,
      fieldLabelStyle: "kind",
      generation: true,
    }),
    defineResource({
      ...dra,
      kind: "DeviceClass",
      plural: "deviceclasses",
      namespaced: false,
      generation: true,
    }),
  ];
}

export function builtinResources(resourceApiVersions: readonly string[]): ResourceDef[] {
  return [
    ...coreResources(),
    ...draResources(resourceApiVersions),
    defineResource({ group: "coordination.k8s.io", kind: "Lease", plural: "leases", namespaced: true }),
    defineResource({
      group: "events.k8s.io",
      kind: "Event",
      plural: "events",
      namespaced: true,
      shortNames: ["ev"],
    }),
    defineResource({
      group: "apiextensions.k8s.io",
      kind: "CustomResourceDefinition",
      plural: "customresourcedefinitions",
      namespaced: false,
      statusSubresource: true,
      shortNames: ["crd", "crds"],
      generation: true,
      statusOnCreate: "drop",
    }),
  ];
}

/** Multus's NetworkAttachmentDefinition CRD, as its deployment installs it. Served through the CRD path. */
export const NETWORK_ATTACHMENT_DEFINITION_CRD: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "network-attachment-definitions.k8s.cni.cncf.io" },
  spec: {
    group: "k8s.cni.cncf.io",
    scope: "Namespaced",
    names: {
      plural: "network-attachment-definitions",
      singular: "network-attachment-definition",
      kind: "NetworkAttachmentDefinition",
      listKind: "NetworkAttachmentDefinitionList",
      shortNames: ["net-attach-def"],
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              metadata: { type: "object" },
              spec: { type: "object", properties: { config: { type: "string" } } },
            },
          },
        },
      },
    ],
  },
};

/** Namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
