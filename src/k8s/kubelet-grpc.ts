// The kubelet's gRPC wire protocols: where their .proto files live, how they are loaded (the one
// set of loader options that scripts/generate.ts also feeds to proto-loader-gen-types), typed
// service constructors, and the names and paths the kubelet and plugins agree on.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProtoGrpcType as DraHealthV1alpha1Grpc } from "../generated/dra-health-v1alpha1/api.ts";
import type { ProtoGrpcType as DraV1Grpc } from "../generated/dra-v1/api.ts";
import type { ProtoGrpcType as DraV1beta1Grpc } from "../generated/dra-v1beta1/api.ts";
import type { ProtoGrpcType as PluginRegistrationGrpc } from "../generated/pluginregistration-v1/api.ts";
import type { ProtoGrpcType as PodResourcesV1Grpc } from "../generated/podresources-v1/api.ts";

/**
 * How .proto files become JavaScript objects, at run time and in the generated types alike.
 * - keepCase: field names stay as on the wire (`cdi_device_ids`, `request_names`, `NUMANode.ID`).
 * - longs: String — int64/uint64 (cpu_ids, NUMA IDs, memory sizes, health timestamps) decode to
 *   decimal strings so nothing is rounded; inputs still accept numbers.
 * - enums: String — `HealthStatus` decodes to "HEALTHY"; inputs accept names or numbers.
 * - defaults: true — decoded messages carry every scalar/repeated/map field, set or not.
 * - oneofs: true — a set proto3 `optional` field also yields its synthetic oneof key
 *   (`_share_id: "share_id"`); an unset one stays absent (presence is kept).
 */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** The kubelet protocols netclaim speaks: .proto path under proto/ and its src/generated/ dir. */
export const KUBELET_PROTOS = {
  pluginRegistration: { file: "pluginregistration/v1/api.proto", generatedDir: "pluginregistration-v1" },
  draV1: { file: "dra/v1/api.proto", generatedDir: "dra-v1" },
  draV1beta1: { file: "dra/v1beta1/api.proto", generatedDir: "dra-v1beta1" },
  draHealthV1alpha1: { file: "dra-health/v1alpha1/api.proto", generatedDir: "dra-health-v1alpha1" },
  podResourcesV1: { file: "podresources/v1/api.proto", generatedDir: "podresources-v1" },
} as const;

export type KubeletProtoName = keyof typeof KUBELET_PROTOS;

/** The loaded shape of each protocol, as the generated types describe it. */
export interface KubeletProtoTypes {
  pluginRegistration: PluginRegistrationGrpc;
  draV1: DraV1Grpc;
  draV1beta1: DraV1beta1Grpc;
  draHealthV1alpha1: DraHealthV1alpha1Grpc;
  podResourcesV1: PodResourcesV1Grpc;
}

/**
 * The closest proto/ above this module that holds the kubelet's files: the repository's (from src/k8s),
 * or a bundle's own (scripts/build-shim.ts copies proto/ into it; its code sits in the bundle's root or in
 * chunks/) — so a host shim, whose bundle is all it has, finds them too.
 */
export function findProtoDir(moduleUrl: string = import.meta.url): string {
  const candidates = ["./proto/", "../proto/", "../../proto/"].map((rel) =>
    fileURLToPath(new URL(rel, moduleUrl)),
  );
  const found = candidates.find((dir) => existsSync(join(dir, KUBELET_PROTOS.podResourcesV1.file)));
  return found ?? candidates[candidates.length - 1]!;
}

export const DEFAULT_PROTO_DIR = findProtoDir();

// Registration: plugin type and the gRPC service names a DRA plugin lists in supported_versions.
export const DRA_PLUGIN_TYPE = "DRAPlugin";
export const DRA_SERVICE_V1 = "v1.DRAPlugin";
export const DRA_SERVICE_V1BETA1 = "v1beta1.DRAPlugin";
export const DRA_HEALTH_SERVICE_V1ALPHA1 = "v1alpha1.DRAResourceHealth";
/** The DRA services a 1.34+ kubelet can use, newest first. */
export const KUBELET_DRA_SERVICES = [DRA_SERVICE_V1, DRA_SERVICE_V1BETA1] as const;
export type DraServiceVersion = (typeof KUBELET_DRA_SERVICES)[number];

// Default locations on a node.
export const DEFAULT_KUBELET_REGISTRATION_DIR = "/var/lib/kubelet/plugins_registry";
export const DEFAULT_KUBELET_PLUGINS_DIR = "/var/lib/kubelet/plugins";
export const DEFAULT_POD_RESOURCES_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

/** `<pluginsDir>/<driver>/dra.sock`, where the DRA service listens. */
export function draSocketPath(driverName: string, pluginsDir: string = DEFAULT_KUBELET_PLUGINS_DIR): string {
  return join(pluginsDir, driverName, "dra.sock");
}

/** `<registrationDir>/<driver>-reg.sock`, where the registration service listens. */
export function registrationSocketPath(
  driverName: string,
  registrationDir: string = DEFAULT_KUBELET_REGISTRATION_DIR,
): string {
  return join(registrationDir, `${driverName}-reg.sock`);
}

/** grpc-js target for a unix socket path. */
export function unixTarget(socketPath: string): string {
  return `unix:${socketPath}`;
}

const definitions = new Map<string, protoLoader.PackageDefinition>();
const packages = new Map<string, unknown>();

/** The proto-loader package definition of one protocol; each file is parsed once per proto dir. */
export function loadKubeletPackageDefinition(
  name: KubeletProtoName,
  protoDir: string = DEFAULT_PROTO_DIR,
): protoLoader.PackageDefinition {
  const key = `${protoDir}\0${name}`;
  let definition = definitions.get(key);
  if (definition === undefined) {
    const { file } = KUBELET_PROTOS[name];
    try {
      accessSync(join(protoDir, file), constants.R_OK);
      definition = protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [protoDir] });
    } catch (cause) {
      throw new Error(`load kubelet proto ${file} from ${protoDir}`, { cause });
    }
    definitions.set(key, definition);
  }
  return definition;
}

/** One protocol loaded into grpc-js: message definitions and client constructors with `.service`. */
export function loadKubeletProto<N extends KubeletProtoName>(
  name: N,
  protoDir: string = DEFAULT_PROTO_DIR,
): KubeletProtoTypes[N] {
  const key = `${protoDir}\0${name}`;
  let loaded = packages.get(key);
  if (loaded === undefined) {
    loaded = grpc.loadPackageDefinition(loadKubeletPackageDefinition(name, protoDir));
    packages.set(key, loaded);
  }
  return loaded as KubeletProtoTypes[N];
}

/** The five services, each a client constructor whose `.service` a grpc.Server can serve. */
export function kubeletServices(protoDir: string = DEFAULT_PROTO_DIR) {
  return {
    registration: loadKubeletProto("pluginRegistration", protoDir).pluginregistration.Registration,
    draV1: loadKubeletProto("draV1", protoDir).k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin,
    draV1beta1: loadKubeletProto("draV1beta1", protoDir).k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin,
    draHealthV1alpha1: loadKubeletProto("draHealthV1alpha1", protoDir).v1alpha1.DRAResourceHealth,
    podResources: loadKubeletProto("podResourcesV1", protoDir).v1.PodResourcesLister,
  };
}

export type KubeletServices = ReturnType<typeof kubeletServices>;
