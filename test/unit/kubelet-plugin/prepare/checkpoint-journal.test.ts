// Group commit of checkpoint changes: changes made while a write is in flight go out together in the
// next write; every change's promise resolves only once a write containing it succeeded.
import { describe, expect, it } from "vitest";
import { CheckpointJournal } from "../../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import type { Checkpoint } from "../../../../src/api/checkpoint.ts";
import { MemoryCheckpointer } from "../../../fakes/prepare-deps.ts";

const entry = (name: string) => ({
  namespace: "ns",
  name,
  state: "prepared" as const,
  podUIDs: [],
  devices: [],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

const add =
  (name: string) =>
  (c: Checkpoint): Checkpoint => ({ claims: { ...c.claims, [name]: entry(name) } });

describe("CheckpointJournal", () => {
  it("applies a change in memory at once and resolves after the write", async () => {
    const store = new MemoryCheckpointer();
    const journal = new CheckpointJournal(store, { claims: {} });
    const done = journal.update(add("a"));
    expect(Object.keys(journal.current.claims)).toEqual(["a"]);
    await done;
    expect(store.writes.map((w) => Object.keys(w.claims))).toEqual([["a"]]);
  });

  it("gathers the changes made during a write into one next write", async () => {
    const store = new MemoryCheckpointer();
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const journal = new CheckpointJournal(store, { claims: {} });
    const first = journal.update(add("a"));
    const rest = ["b", "c", "d", "e"].map((n) => journal.update(add(n)));
    open();
    await Promise.all([first, ...rest]);
    expect(store.writes.map((w) => Object.keys(w.claims))).toEqual([["a"], ["a", "b", "c", "d", "e"]]);
    expect(journal.writes).toBe(2);
  });

  it("rejects the changes of a failed write and carries them in the next one", async () => {
    const store = new MemoryCheckpointer();
    store.failAttempts.add(1);
    const journal = new CheckpointJournal(store, { claims: {} });
    await expect(journal.update(add("a"))).rejects.toThrow("disk full");
    await journal.update(add("b"));
    expect(store.writes.map((w) => Object.keys(w.claims))).toEqual([["a", "b"]]);
  });

  it("rejects a change that throws, without writing", async () => {
    const store = new MemoryCheckpointer();
    const journal = new CheckpointJournal(store, { claims: {} });
    await expect(
      journal.update(() => {
        throw new Error("claim x is not in the checkpoint");
      }),
    ).rejects.toThrow("not in the checkpoint");
    await journal.settled();
    expect(store.writes).toEqual([]);
  });
});
