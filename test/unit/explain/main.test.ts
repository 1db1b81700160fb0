// The command's pure parts and its run over fake ports: the pod argument, where the credentials come
// from, and runExplain's exit code and output in both forms.
import { describe, expect, it } from "vitest";
import {
  EXIT_MISSING,
  EXIT_RESOLVED,
  explainKubeConfigSource,
  parsePodArgument,
  runExplain,
} from "../../../src/explain/main.ts";
import { nad, settings, snapshot } from "./builders.ts";
import { FakeExplainApi } from "./fake-api.ts";

describe("parsePodArgument", () => {
  const cases: { text: string; want: unknown }[] = [
    { text: "default/demo", want: { namespace: "default", name: "demo" } },
    {
      text: "kube-system/coredns-5d78c9869d-abcde",
      want: { namespace: "kube-system", name: "coredns-5d78c9869d-abcde" },
    },
    { text: "demo", want: { problem: 'expected NAMESPACE/NAME, got "demo"' } },
    { text: "a/b/c", want: { problem: 'expected NAMESPACE/NAME, got "a/b/c"' } },
    { text: "/demo", want: { problem: 'expected NAMESPACE/NAME, got "/demo"' } },
    { text: "Default/demo", want: { problem: 'expected NAMESPACE/NAME, got "Default/demo"' } },
  ];
  it.each(cases)("$text", ({ text, want }) => expect(parsePodArgument(text)).toEqual(want));
});

describe("explainKubeConfigSource", () => {
  const home = "/home/u";
  const cases: {
    name: string;
    flag?: string;
    env: Record<string, string>;
    exists: boolean;
    want: unknown;
  }[] = [
    {
      name: "the flag first",
      flag: "/k",
      env: { KUBECONFIG: "/e" },
      exists: true,
      want: { kind: "file", path: "/k" },
    },
    {
      name: "then $KUBECONFIG (first entry)",
      env: { KUBECONFIG: ":/e1:/e2" },
      exists: true,
      want: { kind: "file", path: "/e1" },
    },
    {
      name: "then ~/.kube/config",
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
      exists: true,
      want: { kind: "file", path: "/home/u/.kube/config" },
    },
    {
      name: "then in-cluster",
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
      exists: false,
      want: { kind: "in-cluster", host: "10.0.0.1", port: "443" },
    },
    {
      name: "nothing: ~/.kube/config (its load error names it)",
      env: {},
      exists: false,
      want: { kind: "file", path: "/home/u/.kube/config" },
    },
  ];
  it.each(cases)("$name", ({ flag, env, exists, want }) =>
    expect(explainKubeConfigSource(flag, env, home, () => exists)).toEqual(want),
  );
});

describe("runExplain", () => {
  it("exits 0 with the text form when every network resolves", async () => {
    const api = new FakeExplainApi(snapshot());
    const run = await runExplain({
      ports: api.ports(),
      pod: { namespace: "default", name: "demo" },
      settings: settings(),
      output: "text",
    });
    expect(run.code).toBe(EXIT_RESOLVED);
    expect(run.text).toMatch(/^Pod default\/demo on node node-a, Running\n/);
  });

  it("exits 1 and still prints the JSON form when a network is missing", async () => {
    const api = new FakeExplainApi(snapshot({ nads: [nad("sf-net", { resourceName: "sf-pool-9" })] }));
    const run = await runExplain({
      ports: api.ports(),
      pod: { namespace: "default", name: "demo" },
      settings: settings(),
      output: "json",
    });
    expect(run.code).toBe(EXIT_MISSING);
    expect(JSON.parse(run.text)).toMatchObject({ schemaVersion: 1, resolved: false });
  });
});
