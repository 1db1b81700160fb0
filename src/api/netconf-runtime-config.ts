// `runtimeConfig`: the capability arguments the runtime injects (CNI CONVENTIONS.md), checked for their
// JSON types and otherwise passed through untouched — every key, known or not. Multus models seven of
// these keys and drops the rest; netclaim keeps all of them so that a delegate declaring any capability
// receives it.
//
// Public API: `RuntimeConfig`, `runtimeConfigSchema`, `PortMapping`, `Bandwidth`.
import { z } from "zod";

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: string;
  hostIP?: string;
  [key: string]: unknown;
}

export interface Bandwidth {
  ingressRate?: number;
  ingressBurst?: number;
  egressRate?: number;
  egressBurst?: number;
  [key: string]: unknown;
}

export interface IpRange {
  subnet: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
  [key: string]: unknown;
}

export interface RuntimeConfig {
  portMappings?: PortMapping[];
  bandwidth?: Bandwidth;
  /** Requested addresses (IP or CIDR). */
  ips?: string[];
  mac?: string;
  infinibandGUID?: string;
  deviceID?: string;
  /** Multus: the device-info file of a device delegate. */
  CNIDeviceInfoFile?: string;
  dns?: { servers?: string[]; searches?: string[]; options?: string[]; [key: string]: unknown };
  /** host-local's `ranges`: a list of range sets. */
  ipRanges?: IpRange[][];
  aliases?: string[];
  cgroupPath?: string;
  "io.kubernetes.cri.pod-annotations"?: Record<string, string>;
  [key: string]: unknown;
}

const int = z.number().int();
const strings = z.array(z.string());

const portMappingSchema = z.looseObject({
  hostPort: int,
  containerPort: int,
  protocol: z.string().optional(),
  hostIP: z.string().optional(),
});

const bandwidthSchema = z.looseObject({
  ingressRate: int.optional(),
  ingressBurst: int.optional(),
  egressRate: int.optional(),
  egressBurst: int.optional(),
});

const ipRangeSchema = z.looseObject({
  subnet: z.string(),
  rangeStart: z.string().optional(),
  rangeEnd: z.string().optional(),
  gateway: z.string().optional(),
});

export const runtimeConfigSchema = z.looseObject({
  portMappings: z.array(portMappingSchema).optional(),
  bandwidth: bandwidthSchema.optional(),
  ips: strings.optional(),
  mac: z.string().optional(),
  infinibandGUID: z.string().optional(),
  deviceID: z.string().optional(),
  CNIDeviceInfoFile: z.string().optional(),
  dns: z
    .looseObject({ servers: strings.optional(), searches: strings.optional(), options: strings.optional() })
    .optional(),
  ipRanges: z.array(z.array(ipRangeSchema)).optional(),
  aliases: strings.optional(),
  cgroupPath: z.string().optional(),
  "io.kubernetes.cri.pod-annotations": z.record(z.string(), z.string()).optional(),
});
