// network-status: entries built from CNI results by the NAD client's CreateNetworkStatuses rules, the
// exact bytes Multus writes.
import { describe, expect, it } from "vitest";
import {
  buildNetworkStatuses,
  serializeNetworkStatuses,
} from "../../../../src/cni/selection/network-status.ts";
import type { AttachmentOutcome, NetworkStatus } from "../../../../src/cni/selection/network-status.ts";

const SANDBOX = "/var/run/netns/pod";

describe("buildNetworkStatuses", () => {
  const cases: { name: string; input: AttachmentOutcome[]; want: NetworkStatus[] }[] = [
    {
      name: "default network plus a secondary with DNS and device info",
      input: [
        {
          name: "kindnet",
          isDefault: true,
          result: {
            interfaces: [{ name: "eth0", mac: "0a:58:0a:f4:00:05", mtu: 1500, sandbox: SANDBOX }],
            ips: [{ address: "10.244.0.5/24", gateway: "10.244.0.1", interface: 0 }],
            routes: [{ dst: "0.0.0.0/0", gw: "10.244.0.1" }],
          },
        },
        {
          name: "ns/sriov",
          isDefault: false,
          result: {
            interfaces: [{ name: "net1", mac: "02:00:00:00:00:01", sandbox: SANDBOX }],
            ips: [{ address: "192.168.1.5/24" }, { address: "FD00:0:0::5/64" }],
            dns: { nameservers: ["192.168.1.1"], domain: "", search: [] },
          },
          deviceInfo: {
            type: "pci",
            version: "1.1.0",
            pci: { "pci-address": "0000:03:00.1", "rdma-device": "" },
          },
        },
      ],
      want: [
        {
          name: "kindnet",
          interface: "eth0",
          ips: ["10.244.0.5"],
          mac: "0a:58:0a:f4:00:05",
          mtu: 1500,
          default: true,
          dns: {},
          gateway: ["10.244.0.1"],
        },
        {
          name: "ns/sriov",
          interface: "net1",
          ips: ["192.168.1.5", "fd00::5"],
          mac: "02:00:00:00:00:01",
          dns: { nameservers: ["192.168.1.1"] },
          "device-info": { type: "pci", version: "1.1.0", pci: { "pci-address": "0000:03:00.1" } },
        },
      ],
    },
    {
      name: "one interface without sandbox: no interface or mac, every IP",
      input: [
        {
          name: "ns/host",
          isDefault: false,
          result: {
            interfaces: [{ name: "veth0", mac: "aa:aa:aa:aa:aa:aa" }],
            ips: [{ address: "10.0.0.2/8", interface: 0 }],
          },
        },
      ],
      want: [{ name: "ns/host", ips: ["10.0.0.2"], dns: {} }],
    },
    {
      name: "no interfaces: no entry (as Multus)",
      input: [{ name: "ns/ipam-only", isDefault: false, result: { ips: [{ address: "10.0.0.2/8" }] } }],
      want: [],
    },
    {
      name: "several interfaces: one entry per sandbox interface, IPs by index, unindexed IPs to the last",
      input: [
        {
          name: "cluster",
          isDefault: true,
          result: {
            interfaces: [
              { name: "cni0", mac: "11:11:11:11:11:11" },
              { name: "eth0", mac: "22:22:22:22:22:22", sandbox: SANDBOX },
              { name: "eth1", mac: "33:33:33:33:33:33", sandbox: SANDBOX, mtu: 9000 },
            ],
            ips: [
              { address: "10.0.0.1/24", interface: 0 },
              { address: "10.0.1.2/24", interface: 2, gateway: "10.0.1.1" },
              { address: "10.0.2.2/24", interface: 1 },
              { address: "10.0.3.2/24" },
            ],
            routes: [
              { dst: "0.0.0.0/0", gw: "10.0.1.1" },
              { dst: "10.0.0.0/8", gw: "10.0.0.254" },
              { dst: "::/0" },
            ],
            dns: { search: ["svc.local"] },
          },
        },
      ],
      want: [
        {
          name: "cluster",
          interface: "eth0",
          ips: ["10.0.2.2"],
          mac: "22:22:22:22:22:22",
          dns: { search: ["svc.local"] },
          gateway: ["10.0.1.1"],
        },
        {
          name: "cluster",
          interface: "eth1",
          ips: ["10.0.1.2", "10.0.3.2"],
          mac: "33:33:33:33:33:33",
          mtu: 9000,
          default: true,
          dns: { search: ["svc.local"] },
          gateway: ["10.0.1.1"],
        },
      ],
    },
    {
      name: "several interfaces, no IP with gateway and index: the first sandbox interface is default",
      input: [
        {
          name: "cluster",
          isDefault: true,
          result: {
            interfaces: [
              { name: "eth0", sandbox: SANDBOX },
              { name: "eth1", sandbox: SANDBOX },
            ],
            ips: [{ address: "10.0.0.5/24", gateway: "10.0.0.1" }],
          },
        },
      ],
      want: [
        { name: "cluster", interface: "eth0", default: true, dns: {} },
        { name: "cluster", interface: "eth1", ips: ["10.0.0.5"], dns: {} },
      ],
    },
    {
      name: "Go's isDefaultRoute looks at the destination address only",
      input: [
        {
          name: "ns/a",
          isDefault: false,
          result: {
            interfaces: [{ name: "net1", sandbox: SANDBOX }],
            routes: [
              { dst: "0.0.0.0/8", gw: "10.0.0.1" },
              { dst: "::/0", gw: "FD00::1" },
            ],
          },
        },
      ],
      want: [{ name: "ns/a", interface: "net1", dns: {}, gateway: ["10.0.0.1", "fd00::1"] }],
    },
  ];
  it.each(cases)("$name", ({ input, want }) => expect(buildNetworkStatuses(input)).toEqual(want));
});

describe("serializeNetworkStatuses", () => {
  it("writes Multus's bytes: 4-space MarshalIndent per entry, Go key order, joined by ','", () => {
    const statuses: NetworkStatus[] = [
      {
        gateway: ["10.0.0.1"],
        dns: {},
        default: true,
        name: "kindnet",
        ips: ["10.0.0.5"],
        interface: "eth0",
      },
      { name: "ns/a&b", dns: { nameservers: ["1.1.1.1"] }, "device-info": { version: "1.1.0", type: "pci" } },
    ];
    const want = [
      "[{",
      '    "name": "kindnet",',
      '    "interface": "eth0",',
      '    "ips": [',
      '        "10.0.0.5"',
      "    ],",
      '    "default": true,',
      '    "dns": {},',
      '    "gateway": [',
      '        "10.0.0.1"',
      "    ]",
      "},{",
      '    "name": "ns/a\\u0026b",',
      '    "dns": {',
      '        "nameservers": [',
      '            "1.1.1.1"',
      "        ]",
      "    },",
      '    "device-info": {',
      '        "type": "pci",',
      '        "version": "1.1.0"',
      "    }",
      "}]",
    ].join("\n");
    expect(serializeNetworkStatuses(statuses)).toBe(want);
  });

  it("writes an empty list as []", () => {
    expect(serializeNetworkStatuses([])).toBe("[]");
  });
});
