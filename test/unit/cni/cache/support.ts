// Entries for the cache tests: a valid one to start from, and a loader of the committed v1alpha1 fixture.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newCacheEntry } from "../../../../src/cni/cache/entry.ts";
import type { AttachmentCacheEntry } from "../../../../src/cni/cache/entry-schema.ts";

export const CONTAINER_ID = "4f0c6a7d2b9e8c1f4f0c6a7d2b9e8c1f4f0c6a7d2b9e8c1f4f0c6a7d2b9e8c1f";

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", name), "utf8")) as Record<
    string,
    unknown
  >;
}

export function sampleEntry(overrides: Partial<AttachmentCacheEntry> = {}): AttachmentCacheEntry {
  return {
    ...newCacheEntry({
      containerID: CONTAINER_ID,
      netns: "/run/netns/pod1",
      ifname: "eth0",
      pod: { namespace: "ns1", name: "pod1", uid: "uid-1" },
      cniArgs: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod1",
      networks: [
        {
          name: "cluster",
          ifName: "eth0",
          cniArgs: "IgnoreUnknown=true;K8S_POD_NAME=pod1",
          config: {
            cniVersion: "1.0.0",
            name: "cluster",
            plugins: [{ type: "bridge", custom: { keep: 1 } }, { type: "tuning" }],
          },
          runtimeConfig: { portMappings: [] },
          default: true,
        },
        {
          name: "ns1/net-a",
          ifName: "net1",
          cniArgs: "IgnoreUnknown=true;K8S_POD_NAME=pod1",
          config: { cniVersion: "0.3.1", name: "net-a", type: "macvlan", master: "eth1" },
          runtimeConfig: {},
        },
      ],
    }),
    ...overrides,
  };
}
