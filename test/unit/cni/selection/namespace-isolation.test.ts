// Namespace isolation (own namespace + globalNamespaces, `default` unless a list is given) and the
// system-namespace rule (by namespace, not by pod name as Multus's network-status check does).
import { describe, expect, it } from "vitest";
import {
  checkNamespaceIsolation,
  checkSelectionsIsolation,
  isSystemNamespace,
  parseGlobalNamespaces,
} from "../../../../src/cni/selection/namespace-isolation.ts";

describe("parseGlobalNamespaces", () => {
  const cases: { input: string | undefined; want: string[] }[] = [
    { input: undefined, want: ["default"] },
    { input: "", want: ["default"] },
    { input: "shared", want: ["shared"] },
    { input: " shared , infra,,\u00a0tools ", want: ["shared", "infra", "tools"] },
    { input: "default,shared", want: ["default", "shared"] },
  ];
  it.each(cases)("$input", ({ input, want }) => expect(parseGlobalNamespaces(input)).toEqual(want));
});

describe("checkNamespaceIsolation", () => {
  const target = (namespace: string) => ({ namespace, name: "net-a" });
  const cases: {
    name: string;
    enabled: boolean;
    globals?: string;
    pod: string;
    ns: string;
    want: string | undefined;
  }[] = [
    { name: "off: anything goes", enabled: false, pod: "app", ns: "other", want: undefined },
    { name: "own namespace", enabled: true, pod: "app", ns: "app", want: undefined },
    { name: "default is global by default", enabled: true, pod: "app", ns: "default", want: undefined },
    {
      name: "listed global namespace",
      enabled: true,
      globals: "shared",
      pod: "app",
      ns: "shared",
      want: undefined,
    },
    {
      name: "a list replaces default",
      enabled: true,
      globals: "shared",
      pod: "app",
      ns: "default",
      want:
        'namespace isolation: a pod in namespace "app" may not use network-attachment-definition ' +
        '"default/net-a" (allowed namespaces: "app", "shared")',
    },
    {
      name: "another namespace",
      enabled: true,
      pod: "app",
      ns: "other",
      want:
        'namespace isolation: a pod in namespace "app" may not use network-attachment-definition ' +
        '"other/net-a" (allowed namespaces: "app", "default")',
    },
  ];
  it.each(cases)("$name", ({ enabled, globals, pod, ns, want }) => {
    const got = checkNamespaceIsolation({
      enabled,
      globalNamespaces: parseGlobalNamespaces(globals),
      podNamespace: pod,
      target: target(ns),
    });
    if (want === undefined) {
      expect(got).toEqual({ ok: true, value: true });
    } else {
      expect(!got.ok && [got.error.code, got.error.message]).toEqual(["NAMESPACE_ISOLATION", want]);
    }
  });

  it("reports the first refused selection of a list", () => {
    const got = checkSelectionsIsolation(
      [
        { namespace: "app", name: "ok" },
        { namespace: "x", name: "first-bad" },
        { namespace: "y", name: "second-bad" },
      ],
      "app",
      { enabled: true, globalNamespaces: ["default"] },
    );
    expect(!got.ok && got.error.message).toContain('"x/first-bad"');
  });

  it("lets a list through when all are allowed", () => {
    const got = checkSelectionsIsolation([{ namespace: "default", name: "a" }], "app", {
      enabled: true,
      globalNamespaces: ["default"],
    });
    expect(got.ok).toBe(true);
  });
});

describe("isSystemNamespace", () => {
  const cases: { name: string; namespace: string; list?: string[]; want: boolean }[] = [
    { name: "kube-system by default", namespace: "kube-system", want: true },
    { name: "other namespaces are not", namespace: "app", want: false },
    { name: "configured list", namespace: "infra", list: ["infra", "ops"], want: true },
    { name: "configured list replaces kube-system", namespace: "kube-system", list: ["infra"], want: false },
  ];
  it.each(cases)("$name", ({ namespace, list, want }) =>
    expect(isSystemNamespace(namespace, list)).toBe(want),
  );
});
