// The two Kubernetes CEL object types DRA selectors meet, `kubernetes.Quantity` (capacities, `quantity()`)
// and `kubernetes.Semver` (version attributes, `semver()`), as @bufbuild/cel values. @bufbuild/cel knows
// object types only as protobuf messages, so each is a small message declared here at run time (a
// FileDescriptorProto built in code, no generated code). The fields hold the value in normalised form —
// a quantity's mantissa and exponent, a version without its build metadata — so that CEL `==` (field
// equality) means what Kubernetes' Equal means (1Gi == 1024Mi; 1.0.0+a == 1.0.0+b).
//
// Public API: `CEL_TYPE_REGISTRY`, `QUANTITY_TYPE`, `SEMVER_TYPE`, `celQuantity`, `quantityFromCel`,
// `celSemver`, `semverFromCel`.
import { create, createFileRegistry } from "@bufbuild/protobuf";
import type { DescMessage } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import type { ReflectMessage } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { objectType } from "@bufbuild/cel";
import type { CelObjectType } from "@bufbuild/cel";
import { quantityOf } from "./quantity.ts";
import type { Quantity } from "./quantity.ts";
import type { Semver } from "./semver.ts";

// google/protobuf/descriptor.proto FieldDescriptorProto.Type and .Label numbers.
const TYPE_STRING = 9;
const TYPE_SINT32 = 17;
const LABEL_OPTIONAL = 1;
const LABEL_REPEATED = 3;

function field(name: string, number: number, type: number, label = LABEL_OPTIONAL) {
  return { name, number, type, label, jsonName: name };
}

const FILE = create(FileDescriptorProtoSchema, {
  name: "netclaim/api/cel/kubernetes.proto",
  package: "kubernetes",
  syntax: "proto3",
  messageType: [
    { name: "Quantity", field: [field("mantissa", 1, TYPE_STRING), field("exponent", 2, TYPE_SINT32)] },
    {
      name: "Semver",
      field: [
        field("major", 1, TYPE_STRING),
        field("minor", 2, TYPE_STRING),
        field("patch", 3, TYPE_STRING),
        field("pre", 4, TYPE_STRING, LABEL_REPEATED),
      ],
    },
  ],
});

export const CEL_TYPE_REGISTRY = createFileRegistry(FILE, () => undefined);

function message(name: string): DescMessage {
  const desc = CEL_TYPE_REGISTRY.getMessage(name);
  if (desc === undefined) throw new Error(`internal: CEL type ${name} not declared`);
  return desc;
}

const QUANTITY_DESC = message("kubernetes.Quantity");
const SEMVER_DESC = message("kubernetes.Semver");

export const QUANTITY_TYPE: CelObjectType = objectType(QUANTITY_DESC);
export const SEMVER_TYPE: CelObjectType = objectType(SEMVER_DESC);

type QuantityFields = {
  mantissa: string;
  exponent: number;
};

type SemverFields = {
  major: string;
  minor: string;
  patch: string;
  pre: string[];
};

export function celQuantity(q: Quantity): ReflectMessage {
  const fields: QuantityFields = { mantissa: q.mantissa.toString(), exponent: q.exponent };
  return reflect(QUANTITY_DESC, create(QUANTITY_DESC, fields));
}

export function quantityFromCel(value: ReflectMessage): Quantity {
  const fields = value.message as unknown as QuantityFields;
  return quantityOf(BigInt(fields.mantissa || "0"), fields.exponent);
}

export function celSemver(v: Semver): ReflectMessage {
  const fields: SemverFields = {
    major: v.major.toString(),
    minor: v.minor.toString(),
    patch: v.patch.toString(),
    pre: v.pre.map((p) => p.toString()),
  };
  return reflect(SEMVER_DESC, create(SEMVER_DESC, fields));
}

export function semverFromCel(value: ReflectMessage): Semver {
  const fields = value.message as unknown as SemverFields;
  return {
    major: BigInt(fields.major || "0"),
    minor: BigInt(fields.minor || "0"),
    patch: BigInt(fields.patch || "0"),
    pre: fields.pre.map((p) => (/^[0-9]+$/.test(p) ? BigInt(p) : p)),
    build: [],
  };
}
