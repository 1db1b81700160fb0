// parseNetworkSelections, JSON form: every key Multus honours (matched as encoding/json does), and every
// error path with its exact message.
import { describe, expect, it } from "vitest";
import { NETWORKS_ANNOTATION } from "../../../../src/cni/selection/annotations.ts";
import { LABEL_RULE, SUBDOMAIN_RULE, expectParse, jsonSyntax, sel } from "./selection-test-helpers.ts";
import type { SelectionCase } from "./selection-test-helpers.ts";

const N = NETWORKS_ANNOTATION;

const NO_DEFAULTS = { ingressRate: 0, ingressBurst: 0, egressRate: 0, egressBurst: 0 };

const jsonCases: SelectionCase[] = [
  { name: "empty array", input: "[]", want: { selections: [] } },
  {
    name: "every key",
    input: JSON.stringify([
      {
        name: "net-a",
        namespace: "other",
        interface: "net9",
        ips: ["10.1.1.5/24", "fd00::5"],
        mac: "02:00:00:00:00:01",
        "infiniband-guid": "00:11:22:33:44:55:66:77",
        "default-route": ["10.1.1.1"],
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "1.2.3.4" }],
        bandwidth: { ingressRate: 1000, ingressBurst: 10, egressRate: 2000, egressBurst: 20 },
        "cni-args": { foo: "bar", n: 1 },
        deviceID: "0000:03:00.1",
        "ipam-claim-reference": "claim-1",
      },
    ]),
    want: {
      selections: [
        {
          namespace: "other",
          name: "net-a",
          interfaceName: "net9",
          ips: ["10.1.1.5/24", "fd00::5"],
          mac: "02:00:00:00:00:01",
          infinibandGuid: "00:11:22:33:44:55:66:77",
          defaultRoute: ["10.1.1.1"],
          portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "1.2.3.4" }],
          bandwidth: { ingressRate: 1000, ingressBurst: 10, egressRate: 2000, egressBurst: 20 },
          cniArgs: { foo: "bar", n: 1 },
          deviceId: "0000:03:00.1",
          ipamClaimReference: "claim-1",
        },
      ],
    },
  },
  {
    name: "keys match case-insensitively, unknown keys ignored, later keys win",
    input: '[{"Name":"x","NAMESPACE":"ns1","Interface":"eth5","name":"net-a","org.example/extra":1}]',
    want: { selections: [{ namespace: "ns1", name: "net-a", interfaceName: "eth5" }] },
  },
  {
    name: "null values are absent; empty strings too",
    input: '[{"name":"net-a","namespace":null,"ips":null,"mac":"","cni-args":null,"default-route":null}]',
    want: { selections: [sel("net-a")] },
  },
  {
    name: "empty default-route is kept (it still switches default-route handling on)",
    input: '[{"name":"net-a","default-route":[]}]',
    want: { selections: [sel("net-a", { defaultRoute: [] })] },
  },
  {
    name: "deprecated interfaceRequest used when interface is empty",
    input:
      '[{"name":"a","interfaceRequest":"old0"},{"name":"b","interface":"new0","interfaceRequest":"old1"}]',
    want: { selections: [sel("a", { interfaceName: "old0" }), sel("b", { interfaceName: "new0" })] },
  },
  {
    name: "dotted NAD name is fine in JSON",
    input: '[{"name":"my.net"}]',
    want: { selections: [sel("my.net")] },
  },
  {
    name: "MAC in dotted and 20-byte forms; missing bandwidth and port members are 0",
    input: JSON.stringify([
      { name: "a", mac: "0200.0000.0001", bandwidth: {}, portMappings: [{}] },
      { name: "b", mac: "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:02:00:23:13:92" },
    ]),
    want: {
      selections: [
        sel("a", {
          mac: "0200.0000.0001",
          bandwidth: NO_DEFAULTS,
          portMappings: [{ hostPort: 0, containerPort: 0 }],
        }),
        sel("b", { mac: "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:02:00:23:13:92" }),
      ],
    },
  },
  {
    name: "invalid JSON",
    input: '[{"name":',
    want: { error: `${N}: invalid JSON: ${jsonSyntax('[{"name":')}` },
  },
  {
    name: "text with a quote goes JSON",
    input: 'net-a,"b"',
    want: { error: `${N}: invalid JSON: ${jsonSyntax('net-a,"b"')}` },
  },
  {
    name: "an object, not an array",
    input: '{"name":"a"}',
    want: { error: `${N}: must be a JSON array of objects, got object` },
  },
  {
    name: "a JSON string",
    input: '"net-a"',
    want: { error: `${N}: must be a JSON array of objects, got string` },
  },
  {
    name: "element is a string",
    input: '["net-a"]',
    want: { error: `${N}: entry 1: must be an object, got string` },
  },
  {
    name: "element is null",
    input: '[{"name":"a"},null]',
    want: { error: `${N}: entry 2: must be an object, got null` },
  },
  { name: "name missing", input: '[{"namespace":"a"}]', want: { error: `${N}: entry 1: name is required` } },
  { name: "name empty", input: '[{"name":""}]', want: { error: `${N}: entry 1: name is required` } },
  {
    name: "name a number",
    input: '[{"name":5}]',
    want: { error: `${N}: entry 1: name must be a string, got number` },
  },
  {
    name: "name not a subdomain",
    input: '[{"name":"My_Net"}]',
    want: { error: `${N}: entry 1: network name "My_Net" ${SUBDOMAIN_RULE}` },
  },
  {
    name: "namespace invalid",
    input: '[{"name":"a","namespace":"a.b"}]',
    want: { error: `${N}: entry 1: namespace "a.b" ${LABEL_RULE}` },
  },
  {
    name: "namespace not a string",
    input: '[{"name":"a","namespace":true}]',
    want: { error: `${N}: entry 1: namespace must be a string, got boolean` },
  },
  {
    name: "interface with '/'",
    input: '[{"name":"a","interface":"a/b"}]',
    want: { error: `${N}: entry 1: interface name "a/b" must not contain "/"` },
  },
  {
    name: "interface not a string",
    input: '[{"name":"a","interface":["eth1"]}]',
    want: { error: `${N}: entry 1: interface must be a string, got array` },
  },
  {
    name: "interfaceRequest alias is validated too",
    input: '[{"name":"a","interfaceRequest":"."}]',
    want: { error: `${N}: entry 1: interface name "." must not be "." or ".."` },
  },
  {
    name: "ips not an array",
    input: '[{"name":"a","ips":"10.0.0.1"}]',
    want: { error: `${N}: entry 1: ips must be an array of strings, got string` },
  },
  {
    name: "ips element not a string",
    input: '[{"name":"a","ips":["10.0.0.1",7]}]',
    want: { error: `${N}: entry 1: ips[1] must be a string, got number` },
  },
  {
    name: "ips: IPv4 with a leading zero (Go refuses it)",
    input: '[{"name":"a","ips":["010.0.0.1"]}]',
    want: { error: `${N}: entry 1: ips[0] "010.0.0.1" is not an IP address or CIDR` },
  },
  {
    name: "ips: prefix too long",
    input: '[{"name":"a","ips":["10.0.0.1/33"]}]',
    want: { error: `${N}: entry 1: ips[0] "10.0.0.1/33" is not an IP address or CIDR` },
  },
  {
    name: "ips: IPv6 with a zone",
    input: '[{"name":"a","ips":["fe80::1%eth0"]}]',
    want: { error: `${N}: entry 1: ips[0] "fe80::1%eth0" is not an IP address or CIDR` },
  },
  {
    name: "mac invalid",
    input: '[{"name":"a","mac":"02:00:00:00:00"}]',
    want: { error: `${N}: entry 1: mac "02:00:00:00:00" is not a valid MAC address` },
  },
  {
    name: "mac mixing separators",
    input: '[{"name":"a","mac":"02:00-00:00:00:01"}]',
    want: { error: `${N}: entry 1: mac "02:00-00:00:00:01" is not a valid MAC address` },
  },
  {
    name: "mac not a string",
    input: '[{"name":"a","mac":2}]',
    want: { error: `${N}: entry 1: mac must be a string, got number` },
  },
  {
    name: "infiniband-guid invalid",
    input: '[{"name":"a","infiniband-guid":"guid"}]',
    want: { error: `${N}: entry 1: infiniband-guid "guid" is not a valid InfiniBand GUID` },
  },
  {
    name: "default-route not an array",
    input: '[{"name":"a","default-route":"10.0.0.1"}]',
    want: { error: `${N}: entry 1: default-route must be an array of strings, got string` },
  },
  {
    name: "default-route element not an IP (a CIDR is not a gateway)",
    input: '[{"name":"a","default-route":["10.0.0.1/24"]}]',
    want: { error: `${N}: entry 1: default-route[0] "10.0.0.1/24" is not an IP address` },
  },
  {
    name: "portMappings not an array",
    input: '[{"name":"a","portMappings":{}}]',
    want: { error: `${N}: entry 1: portMappings must be an array, got object` },
  },
  {
    name: "portMappings element not an object",
    input: '[{"name":"a","portMappings":[8080]}]',
    want: { error: `${N}: entry 1: portMappings[0] must be an object, got number` },
  },
  {
    name: "portMappings hostPort not an integer",
    input: '[{"name":"a","portMappings":[{"hostPort":80.5}]}]',
    want: { error: `${N}: entry 1: portMappings[0].hostPort must be an integer, got 80.5` },
  },
  {
    name: "portMappings protocol not a string",
    input: '[{"name":"a","portMappings":[{"hostPort":80,"protocol":6}]}]',
    want: { error: `${N}: entry 1: portMappings[0].protocol must be a string, got number` },
  },
  {
    name: "bandwidth not an object",
    input: '[{"name":"a","bandwidth":[1]}]',
    want: { error: `${N}: entry 1: bandwidth must be an object, got array` },
  },
  {
    name: "bandwidth member a string",
    input: '[{"name":"a","bandwidth":{"egressRate":"1M"}}]',
    want: { error: `${N}: entry 1: bandwidth.egressRate must be an integer, got string` },
  },
  {
    name: "cni-args an array",
    input: '[{"name":"a","cni-args":["x"]}]',
    want: { error: `${N}: entry 1: cni-args must be an object, got array` },
  },
  {
    name: "deviceID not a string",
    input: '[{"name":"a","deviceID":1}]',
    want: { error: `${N}: entry 1: deviceID must be a string, got number` },
  },
  {
    name: "ipam-claim-reference not a string",
    input: '[{"name":"a","ipam-claim-reference":{}}]',
    want: { error: `${N}: entry 1: ipam-claim-reference must be a string, got object` },
  },
];

describe("parseNetworkSelections, JSON form", () => {
  it.each(jsonCases)("$name", ({ input, want }) => expectParse(input, want));

  it("has at least 40 cases", () => {
    expect(jsonCases.length).toBeGreaterThanOrEqual(40);
  });
});
