import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/k8s/api-error.ts";
import {
  IndexedStore,
  indexByAnnotation,
  indexBySpecNodeName,
  planReplace,
} from "../../../src/k8s/informer-store.ts";
import { listAll } from "../../../src/k8s/list-watch.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import { FakeListWatch } from "../../fakes/kube-list-watch.ts";

type Obj = KubeObject & { spec?: { nodeName?: string } };
const obj = (name: string, rv: string, extra: Partial<Obj> = {}): Obj => ({
  metadata: { name, namespace: "ns", resourceVersion: rv, ...extra.metadata },
  ...(extra.spec === undefined ? {} : { spec: extra.spec }),
});
const storeOf = (...objs: Obj[]) => new Map(objs.map((o) => [`ns/${o.metadata?.name}`, o]));

describe("planReplace", () => {
  it.each([
    {
      name: "first list: all adds",
      current: storeOf(),
      listed: [obj("a", "1"), obj("b", "2")],
      want: ["add a", "add b"],
    },
    {
      name: "nothing changed: nothing reported",
      current: storeOf(obj("a", "1")),
      listed: [obj("a", "1")],
      want: [],
    },
    {
      name: "a newer RV is an update",
      current: storeOf(obj("a", "1")),
      listed: [obj("a", "5")],
      want: ["update a 1->5"],
    },
    {
      name: "gone from the list: a missed delete, after the listed changes",
      current: storeOf(obj("a", "1"), obj("b", "2")),
      listed: [obj("c", "3")],
      want: ["add c", "delete a (missed)", "delete b (missed)"],
    },
    {
      name: "objects without an RV always count as updated",
      current: storeOf(obj("a", "")),
      listed: [obj("a", "")],
      want: ["update a ->"],
    },
  ])("$name", ({ current, listed, want }) => {
    const got = planReplace(current, listed).map((c) => {
      if (c.type === "add") return `add ${c.obj.metadata?.name}`;
      if (c.type === "update")
        return `update ${c.obj.metadata?.name} ${c.old.metadata?.resourceVersion}->${c.obj.metadata?.resourceVersion}`;
      return `delete ${c.obj.metadata?.name}${c.finalStateUnknown ? " (missed)" : ""}`;
    });
    expect(got).toEqual(want);
  });
});

describe("IndexedStore", () => {
  it("indexes by node and annotation and keeps indexes right across updates and removals", () => {
    const store = new IndexedStore<Obj>({
      node: indexBySpecNodeName,
      net: indexByAnnotation("k8s.v1.cni.cncf.io/networks"),
    });
    store.upsert(
      obj("a", "1", {
        spec: { nodeName: "n1" },
        metadata: { annotations: { "k8s.v1.cni.cncf.io/networks": "sf" } },
      }),
    );
    store.upsert(obj("b", "1", { spec: { nodeName: "n1" } }));
    expect(store.byIndex("node", "n1").map((o) => o.metadata?.name)).toEqual(["a", "b"]);
    expect(store.byIndex("net", "sf").map((o) => o.metadata?.name)).toEqual(["a"]);
    store.upsert(obj("a", "2", { spec: { nodeName: "n2" } }));
    expect(store.byIndex("node", "n1").map((o) => o.metadata?.name)).toEqual(["b"]);
    expect(store.byIndex("net", "sf")).toEqual([]);
    store.remove("ns/b");
    expect(store.indexValues("node")).toEqual(["n2"]);
    expect(() => store.byIndex("nope", "x")).toThrow(/no index named nope/);
  });
});

describe("listAll", () => {
  const signal = new AbortController().signal;
  it('follows continue tokens for a consistent (RV "") list', async () => {
    const lw = new FakeListWatch<Obj>().replyList(
      { items: [obj("a", "1")], resourceVersion: "9", continue: "t1" },
      { items: [obj("b", "2")], resourceVersion: "9" },
    );
    const page = await listAll(lw, { resourceVersion: "", pageSize: 1, signal });
    expect(page.items.map((o) => o.metadata?.name)).toEqual(["a", "b"]);
    expect(page.resourceVersion).toBe("9");
    expect(lw.listCalls).toEqual([
      { resourceVersion: "", limit: 1 },
      { resourceVersion: "", limit: 1, continue: "t1" },
    ]);
  });

  it("falls back to one unpaged list when the continue token expires", async () => {
    const expired = new ApiError({ status: 410, reason: "Expired", message: "continue token expired" });
    const lw = new FakeListWatch<Obj>().replyList(
      { items: [obj("a", "1")], resourceVersion: "9", continue: "t1" },
      expired,
      { items: [obj("a", "1"), obj("b", "3")], resourceVersion: "12" },
    );
    const page = await listAll(lw, { resourceVersion: "", pageSize: 1, signal });
    expect(page.items).toHaveLength(2);
    expect(lw.listCalls[2]).toEqual({ resourceVersion: "" });
  });

  it("does not page a list at RV 0 (served whole from the watch cache)", async () => {
    const lw = new FakeListWatch<Obj>().replyList({ items: [], resourceVersion: "1" });
    await listAll(lw, { resourceVersion: "0", pageSize: 500, signal });
    expect(lw.listCalls).toEqual([{ resourceVersion: "0" }]);
  });
});
