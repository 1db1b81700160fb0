// The part of a CNI result (spec 1.0.0 shape) that default-route planning and network-status read.
// Structural, so the engine can pass the protocol layer's result type as is. Results of older versions
// (0.1.0/0.2.0 `ip4`/`ip6`) must be converted to this shape first, as Multus converts to 1.0 before it
// builds network-status.

export interface CniInterfaceLike {
  readonly name: string;
  readonly mac?: string;
  readonly mtu?: number;
  /** Set for interfaces inside the pod; host-side interfaces have none. */
  readonly sandbox?: string;
}

export interface CniIpLike {
  /** Address with prefix length, e.g. "10.1.1.5/24". */
  readonly address: string;
  readonly gateway?: string;
  /** Index into `interfaces`. */
  readonly interface?: number;
}

export interface CniRouteLike {
  readonly dst: string;
  readonly gw?: string;
}

export interface CniDnsLike {
  readonly nameservers?: readonly string[];
  readonly domain?: string;
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

export interface CniResultLike {
  readonly cniVersion?: string;
  readonly interfaces?: readonly CniInterfaceLike[];
  readonly ips?: readonly CniIpLike[];
  readonly routes?: readonly CniRouteLike[];
  readonly dns?: CniDnsLike;
}
