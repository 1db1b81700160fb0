import { describe, expect, it } from "vitest";
import { ObjectStore, objectKey } from "./store.ts";
import type { KubeObject } from "./types.ts";

const PODS = "/pods";
const CMS = "/configmaps";

function obj(name: string, value: string): KubeObject {
  return { metadata: { name, namespace: "ns" }, data: { value } };
}

function names(objects: KubeObject[] | "expired"): string[] | "expired" {
  return objects === "expired"
    ? objects
    : objects.map((o) => `${o.metadata?.name ?? ""}=${(o["data"] as { value: string }).value}`);
}

describe("ObjectStore", () => {
  it("uses one resourceVersion counter across types, like etcd's revision", () => {
    const store = new ObjectStore({ historyLimit: 10, initialResourceVersion: 100 });
    const a = store.put(PODS, objectKey("ns", "a"), obj("a", "1"));
    const b = store.put(CMS, objectKey("ns", "b"), obj("b", "1"));
    const gone = store.remove(PODS, objectKey("ns", "a"));
    expect([
      a.metadata?.resourceVersion,
      b.metadata?.resourceVersion,
      gone?.metadata?.resourceVersion,
    ]).toEqual(["101", "102", "103"]);
    expect(store.resourceVersion).toBe(103);
  });

  it("hands out copies, so callers cannot change stored objects", () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.put(PODS, objectKey("ns", "a"), obj("a", "1"));
    const copy = store.get(PODS, objectKey("ns", "a"));
    (copy?.["data"] as { value: string }).value = "changed";
    expect(names(store.list(PODS))).toEqual(["a=1"]);
  });

  it("lists sorted by namespace/name and filtered by namespace", () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.put(PODS, objectKey("ns2", "a"), { metadata: { name: "a", namespace: "ns2" } });
    store.put(PODS, objectKey("ns1", "b"), { metadata: { name: "b", namespace: "ns1" } });
    store.put(PODS, objectKey("ns1", "a"), { metadata: { name: "a", namespace: "ns1" } });
    expect(store.list(PODS).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([
      "ns1/a",
      "ns1/b",
      "ns2/a",
    ]);
    expect(store.list(PODS, "ns1")).toHaveLength(2);
  });

  const history = [
    {
      name: "events after a version, of one type",
      since: 1,
      want: ["ADDED a", "MODIFIED a", "ADDED b", "DELETED a"],
    },
    { name: "nothing after the newest", since: 6, want: [] },
    { name: "the last event only", since: 5, want: ["DELETED a"] },
  ];
  it.each(history)("eventsSince: $name", ({ since, want }) => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.put(PODS, objectKey("ns", "a"), obj("a", "1")); // 2
    store.put(CMS, objectKey("ns", "x"), obj("x", "1")); // 3
    store.put(PODS, objectKey("ns", "a"), obj("a", "2")); // 4
    store.put(PODS, objectKey("ns", "b"), obj("b", "1")); // 5
    store.remove(PODS, objectKey("ns", "a")); // 6
    const events = store.eventsSince(since, PODS);
    expect(
      events === "expired" ? events : events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`),
    ).toEqual(want);
  });

  it("reconstructs snapshots at older versions from history", () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.put(PODS, objectKey("ns", "a"), obj("a", "1")); // 2
    store.put(PODS, objectKey("ns", "b"), obj("b", "1")); // 3
    store.put(PODS, objectKey("ns", "a"), obj("a", "2")); // 4
    store.remove(PODS, objectKey("ns", "b")); // 5
    store.put(PODS, objectKey("ns", "c"), obj("c", "1")); // 6
    const cases = [
      { rv: 2, want: ["a=1"] },
      { rv: 3, want: ["a=1", "b=1"] },
      { rv: 4, want: ["a=2", "b=1"] },
      { rv: 5, want: ["a=2"] },
      { rv: 6, want: ["a=2", "c=1"] },
    ];
    for (const { rv, want } of cases) expect(names(store.snapshotAt(rv, PODS)), `rv ${rv}`).toEqual(want);
  });

  it("forgets the oldest events past the limit, and everything on compaction", () => {
    const store = new ObjectStore({ historyLimit: 2 });
    for (let i = 0; i < 4; i++) store.put(PODS, objectKey("ns", "a"), obj("a", String(i))); // 2..5
    expect(store.floor).toBe(3);
    expect(store.eventsSince(2, PODS)).toBe("expired");
    expect(store.snapshotAt(2, PODS)).toBe("expired");
    expect(store.eventsSince(3, PODS)).toHaveLength(2);
    store.compact();
    expect(store.eventsSince(4, PODS)).toBe("expired");
    expect(store.eventsSince(5, PODS)).toEqual([]);
  });

  it("tells subscribers about every change, with the previous state", () => {
    const store = new ObjectStore({ historyLimit: 10 });
    const seen: string[] = [];
    const unsubscribe = store.subscribe((e) =>
      seen.push(`${e.type} ${names(e.prev === undefined ? [] : [e.prev]).toString()}`),
    );
    store.put(PODS, objectKey("ns", "a"), obj("a", "1"));
    store.put(PODS, objectKey("ns", "a"), obj("a", "2"));
    unsubscribe();
    store.remove(PODS, objectKey("ns", "a"));
    expect(seen).toEqual(["ADDED ", "MODIFIED a=1"]);
  });
});
