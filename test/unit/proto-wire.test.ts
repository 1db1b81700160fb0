// Wire-level check of proto/: every message of every kubelet protocol is encoded by the runtime
// loader (protobufjs, through the proto-loader definitions the gRPC services use) with every field
// set, and the raw bytes are read back with a hand-written tag reader. The expected field numbers
// and kinds below were typed from the upstream kubernetes/kubelet .proto files (see
// proto/VERSIONS.md); they are not derived from proto/.
import type { MessageTypeDefinition } from "@grpc/proto-loader";
import { describe, expect, it } from "vitest";
import { loadKubeletPackageDefinition } from "../../src/k8s/kubelet-grpc.ts";
import type { KubeletProtoName } from "../../src/k8s/kubelet-grpc.ts";

type Kind =
  | "string"
  | "repeated string"
  | "bool"
  | "int64"
  | "repeated int64"
  | "uint64"
  | "enum"
  | "message"
  | "repeated message"
  | "map<string, message>";

// Protobuf encoding spec: varint = 0, length-delimited = 2 (proto3 packs repeated scalars).
const WIRE_TYPE: Record<Kind, number> = {
  string: 2,
  "repeated string": 2,
  bool: 0,
  int64: 0,
  "repeated int64": 2,
  uint64: 0,
  enum: 0,
  message: 2,
  "repeated message": 2,
  "map<string, message>": 2,
};

type Fields = Record<string, [number, Kind]>;
interface Case {
  proto: KubeletProtoName;
  message: string;
  fields: Fields;
}

const REG = "pluginregistration";
const DRA = (v: string) => `k8s.io.kubelet.pkg.apis.dra.${v}`;
const draMessages = (v: "v1" | "v1beta1"): Case[] => {
  const proto = v === "v1" ? "draV1" : "draV1beta1";
  const device: Fields = {
    request_names: [1, "repeated string"],
    pool_name: [2, "string"],
    device_name: [3, "string"],
    cdi_device_ids: [4, "repeated string"],
  };
  if (v === "v1") device.share_id = [5, "string"];
  return [
    { proto, message: `${DRA(v)}.NodePrepareResourcesRequest`, fields: { claims: [1, "repeated message"] } },
    {
      proto,
      message: `${DRA(v)}.NodePrepareResourcesResponse`,
      fields: { claims: [1, "map<string, message>"] },
    },
    {
      proto,
      message: `${DRA(v)}.NodePrepareResourceResponse`,
      fields: { devices: [1, "repeated message"], error: [2, "string"] },
    },
    { proto, message: `${DRA(v)}.Device`, fields: device },
    {
      proto,
      message: `${DRA(v)}.NodeUnprepareResourcesRequest`,
      fields: { claims: [1, "repeated message"] },
    },
    {
      proto,
      message: `${DRA(v)}.NodeUnprepareResourcesResponse`,
      fields: { claims: [1, "map<string, message>"] },
    },
    { proto, message: `${DRA(v)}.NodeUnprepareResourceResponse`, fields: { error: [1, "string"] } },
    {
      proto,
      message: `${DRA(v)}.Claim`,
      fields: { namespace: [1, "string"], uid: [2, "string"], name: [3, "string"] },
    },
  ];
};

const topology: [number, Kind] = [3, "message"];
const CASES: Case[] = [
  {
    proto: "pluginRegistration",
    message: `${REG}.PluginInfo`,
    fields: {
      type: [1, "string"],
      name: [2, "string"],
      endpoint: [3, "string"],
      supported_versions: [4, "repeated string"],
    },
  },
  {
    proto: "pluginRegistration",
    message: `${REG}.RegistrationStatus`,
    fields: { plugin_registered: [1, "bool"], error: [2, "string"] },
  },
  { proto: "pluginRegistration", message: `${REG}.RegistrationStatusResponse`, fields: {} },
  { proto: "pluginRegistration", message: `${REG}.InfoRequest`, fields: {} },
  ...draMessages("v1"),
  ...draMessages("v1beta1"),
  { proto: "draHealthV1alpha1", message: "v1alpha1.NodeWatchResourcesRequest", fields: {} },
  {
    proto: "draHealthV1alpha1",
    message: "v1alpha1.DeviceIdentifier",
    fields: { pool_name: [1, "string"], device_name: [2, "string"] },
  },
  {
    proto: "draHealthV1alpha1",
    message: "v1alpha1.DeviceHealth",
    fields: {
      device: [1, "message"],
      health: [2, "enum"],
      last_updated_time: [3, "int64"],
      health_check_timeout_seconds: [4, "int64"],
      message: [5, "string"],
    },
  },
  {
    proto: "draHealthV1alpha1",
    message: "v1alpha1.NodeWatchResourcesResponse",
    fields: { devices: [1, "repeated message"] },
  },
  { proto: "podResourcesV1", message: "v1.AllocatableResourcesRequest", fields: {} },
  {
    proto: "podResourcesV1",
    message: "v1.AllocatableResourcesResponse",
    fields: {
      devices: [1, "repeated message"],
      cpu_ids: [2, "repeated int64"],
      memory: [3, "repeated message"],
    },
  },
  { proto: "podResourcesV1", message: "v1.ListPodResourcesRequest", fields: {} },
  {
    proto: "podResourcesV1",
    message: "v1.ListPodResourcesResponse",
    fields: { pod_resources: [1, "repeated message"] },
  },
  {
    proto: "podResourcesV1",
    message: "v1.PodResources",
    fields: { name: [1, "string"], namespace: [2, "string"], containers: [3, "repeated message"] },
  },
  {
    proto: "podResourcesV1",
    message: "v1.ContainerResources",
    fields: {
      name: [1, "string"],
      devices: [2, "repeated message"],
      cpu_ids: [3, "repeated int64"],
      memory: [4, "repeated message"],
      dynamic_resources: [5, "repeated message"],
    },
  },
  {
    proto: "podResourcesV1",
    message: "v1.ContainerMemory",
    fields: { memory_type: [1, "string"], size: [2, "uint64"], topology },
  },
  {
    proto: "podResourcesV1",
    message: "v1.ContainerDevices",
    fields: { resource_name: [1, "string"], device_ids: [2, "repeated string"], topology },
  },
  { proto: "podResourcesV1", message: "v1.TopologyInfo", fields: { nodes: [1, "repeated message"] } },
  { proto: "podResourcesV1", message: "v1.NUMANode", fields: { ID: [1, "int64"] } },
  {
    proto: "podResourcesV1",
    message: "v1.DynamicResource",
    fields: {
      claim_name: [2, "string"],
      claim_namespace: [3, "string"],
      claim_resources: [4, "repeated message"],
    },
  },
  {
    proto: "podResourcesV1",
    message: "v1.ClaimResource",
    fields: {
      cdi_devices: [1, "repeated message"],
      driver_name: [2, "string"],
      pool_name: [3, "string"],
      device_name: [4, "string"],
      share_id: [5, "string"],
    },
  },
  { proto: "podResourcesV1", message: "v1.CDIDevice", fields: { name: [1, "string"] } },
  {
    proto: "podResourcesV1",
    message: "v1.GetPodResourcesRequest",
    fields: { pod_name: [1, "string"], pod_namespace: [2, "string"] },
  },
  {
    proto: "podResourcesV1",
    message: "v1.GetPodResourcesResponse",
    fields: { pod_resources: [1, "message"] },
  },
];

const SAMPLE: Record<Kind, unknown> = {
  string: "x",
  "repeated string": ["a", "b"],
  bool: true,
  int64: "9007199254740993", // 2^53 + 1: survives only as a string
  "repeated int64": ["1", "2"],
  uint64: "18446744073709551615",
  enum: "UNHEALTHY",
  message: {},
  "repeated message": [{}],
  "map<string, message>": { "claim-uid": {} },
};

interface Tag {
  field: number;
  wireType: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

/** Minimal protobuf reader: field number, wire type and payload of each top-level field. */
function readTags(buf: Uint8Array): Tag[] {
  let pos = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error("truncated varint");
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  const tags: Tag[] = [];
  while (pos < buf.length) {
    const key = Number(varint());
    const tag: Tag = { field: key >>> 3, wireType: key & 7 };
    if (tag.wireType === 0) tag.varint = varint();
    else if (tag.wireType === 2) {
      const length = Number(varint());
      tag.bytes = buf.subarray(pos, pos + length);
      pos += length;
    } else throw new Error(`unexpected wire type ${tag.wireType}`);
    tags.push(tag);
  }
  if (pos !== buf.length) throw new Error("trailing bytes");
  return tags;
}

function messageDefinition(proto: KubeletProtoName, name: string) {
  const def = loadKubeletPackageDefinition(proto)[name] as MessageTypeDefinition<object, object> | undefined;
  if (def?.format !== "Protocol Buffer 3 DescriptorProto") throw new Error(`no message ${name}`);
  return def;
}

function fullValue(fields: Fields): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, [, kind]]) => [name, SAMPLE[kind]]));
}

describe("kubelet protos on the wire", () => {
  it.each(CASES)(
    "$message: every field has upstream's number and wire type",
    ({ proto, message, fields }) => {
      const def = messageDefinition(proto, message);
      const tags = readTags(def.serialize(fullValue(fields)));
      const want = Object.values(fields)
        .map(([field, kind]) => ({ field, wireType: WIRE_TYPE[kind] }))
        .sort((a, b) => a.field - b.field);
      // Repeated fields repeat their tag; each distinct (field, wire type) pair counts once.
      const distinct = new Map(
        tags.map(({ field, wireType }) => [`${field}/${wireType}`, { field, wireType }]),
      );
      const got = [...distinct.values()].sort((a, b) => a.field - b.field);
      expect(got).toEqual(want);
      // Nothing beyond upstream's fields: the loaded descriptor has exactly these numbers.
      const descriptorFields = (def.type as { field: { number: number }[] }).field
        .map((f) => f.number)
        .sort();
      expect(descriptorFields).toEqual(want.map((f) => f.field));
    },
  );

  it.each([
    { message: `${DRA("v1")}.NodePrepareResourcesResponse`, proto: "draV1" as const },
    { message: `${DRA("v1beta1")}.NodeUnprepareResourcesResponse`, proto: "draV1beta1" as const },
  ])("$message: map entries are key = 1 (string), value = 2 (message)", ({ proto, message }) => {
    const [entry] = readTags(
      messageDefinition(proto, message).serialize({ claims: { "uid-1": { error: "e" } } }),
    );
    const inner = readTags(entry?.bytes ?? new Uint8Array());
    expect(inner.map(({ field, wireType }) => ({ field, wireType }))).toEqual([
      { field: 1, wireType: 2 },
      { field: 2, wireType: 2 },
    ]);
    expect(new TextDecoder().decode(inner[0]?.bytes)).toBe("uid-1");
  });

  it.each([
    { name: "UNKNOWN", number: 0n },
    { name: "HEALTHY", number: 1n },
    { name: "UNHEALTHY", number: 2n },
  ])("HealthStatus $name is $number", ({ name, number }) => {
    const def = messageDefinition("draHealthV1alpha1", "v1alpha1.DeviceHealth");
    const health = readTags(def.serialize({ health: name, message: "m" })).find((t) => t.field === 2);
    // proto3 does not write a zero enum; any other value is the varint of field 2.
    expect(health?.varint ?? 0n).toBe(number);
  });

  it("int64 keeps full precision through string longs", () => {
    const def = messageDefinition("podResourcesV1", "v1.NUMANode");
    const [id] = readTags(def.serialize({ ID: "9007199254740993" }));
    expect(id?.varint).toBe(9007199254740993n);
  });

  it.each([
    { proto: "draV1" as const, message: `${DRA("v1")}.Device`, want: [2, 3, 5] },
    { proto: "draV1beta1" as const, message: `${DRA("v1beta1")}.Device`, want: [2, 3] },
  ])("$message: share_id (field 5) only in v1", ({ proto, message, want }) => {
    const bytes = messageDefinition(proto, message).serialize({
      pool_name: "p",
      device_name: "d",
      share_id: "s",
    });
    expect(readTags(bytes).map((t) => t.field)).toEqual(want);
  });

  it("DynamicResource keeps field 1 (class_name) reserved", () => {
    const type = messageDefinition("podResourcesV1", "v1.DynamicResource").type as {
      reservedRange: { start: number }[];
      reservedName: string[];
    };
    expect(type.reservedRange.map((r) => r.start)).toEqual([1]);
    expect(type.reservedName).toEqual(["class_name"]);
  });
});
