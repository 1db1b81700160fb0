// Master selection: the alphabetically (byte-order) first CNI config that is not ours, non-config files
// and directories ignored, a named master used as given; and the files that would shadow ours.
import { describe, expect, it } from "vitest";
import { filesSortingBefore, selectMasterFile } from "../../../../src/cni/install/master-selection.ts";
import type { ConfDirEntry } from "../../../../src/cni/install/master-selection.ts";

const files = (...names: string[]): ConfDirEntry[] => names.map((name) => ({ name, isFile: true }));
const dir = (name: string): ConfDirEntry => ({ name, isFile: false });

describe("selectMasterFile (auto)", () => {
  const cases: { name: string; entries: ConfDirEntry[]; want: string }[] = [
    { name: "the only config", entries: files("10-calico.conflist"), want: "10-calico.conflist" },
    {
      name: "alphabetically first of several",
      entries: files("20-b.conf", "10-a.conflist", "99-z.json"),
      want: "10-a.conflist",
    },
    {
      name: "ignores our own files, whatever their extension",
      entries: files(
        "00-netclaim.conf",
        "00-netclaim.conflist",
        "00-netclaim-old.json",
        "50-flannel.conflist",
      ),
      want: "50-flannel.conflist",
    },
    {
      name: ".json counts, as the runtimes load it",
      entries: files("05-weave.json", "10-calico.conflist"),
      want: "05-weave.json",
    },
    {
      name: "ignores files that are not CNI configs",
      entries: files("README", "01-x.conf.bak", ".10-a.conf.tmp-1-abc", "02-y.yaml", "30-c.conf"),
      want: "30-c.conf",
    },
    {
      name: "ignores directories, even with a config extension",
      entries: [dir("netclaim.d"), dir("05-dir.conf"), ...files("40-d.conf")],
      want: "40-d.conf",
    },
    {
      name: "byte order: upper case before lower case, digits before letters",
      entries: files("a.conf", "B.conf", "1.conf"),
      want: "1.conf",
    },
    { name: "nothing but ours", entries: files("00-netclaim.conf"), want: "none" },
    { name: "an empty directory", entries: [], want: "none" },
  ];
  it.each(cases)("$name", ({ entries, want }) => {
    const choice = selectMasterFile(entries);
    expect(choice.kind === "found" ? choice.name : choice.kind).toBe(want);
  });
});

describe("selectMasterFile (named)", () => {
  const entries = [...files("10-a.conf", "20-b.conflist", "00-netclaim.conf"), dir("30-c.conf")];
  const cases: { name: string; masterName: string; want: string; reason?: RegExp }[] = [
    { name: "a later file, as named", masterName: "20-b.conflist", want: "20-b.conflist" },
    { name: "a missing file", masterName: "15-x.conf", want: "none", reason: /does not exist/ },
    { name: "our own file", masterName: "00-netclaim.conf", want: "none", reason: /netclaim's own/ },
    { name: "a directory", masterName: "30-c.conf", want: "none", reason: /not a regular file/ },
    { name: "empty: auto", masterName: "", want: "10-a.conf" },
  ];
  it.each(cases)("$name", ({ masterName, want, reason }) => {
    const choice = selectMasterFile(entries, { masterName });
    expect(choice.kind === "found" ? choice.name : choice.kind).toBe(want);
    if (reason !== undefined && choice.kind === "none") expect(choice.reason).toMatch(reason);
  });
});

describe("filesSortingBefore", () => {
  const cases: { name: string; entries: ConfDirEntry[]; own: string; want: string[] }[] = [
    { name: "nothing before ours", entries: files("10-calico.conflist"), own: "00-netclaim.conf", want: [] },
    {
      name: "a 00- file that sorts before ours",
      entries: files("00-calico.conflist", "00-multus.conf", "10-x.conf"),
      own: "00-netclaim.conf",
      want: ["00-calico.conflist", "00-multus.conf"],
    },
    {
      name: "our other format does not count",
      entries: files("00-netclaim.conf", "10-x.conf"),
      own: "00-netclaim.conflist",
      want: [],
    },
  ];
  it.each(cases)("$name", ({ entries, own, want }) => {
    expect(filesSortingBefore(entries, own)).toEqual(want);
  });
});
