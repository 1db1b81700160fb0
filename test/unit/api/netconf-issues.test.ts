// Field paths and issue lines as people read them.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, formatPath, kindOf } from "../../../src/api/netconf-issues.ts";

describe("formatPath", () => {
  const cases: { path: PropertyKey[]; want: string }[] = [
    { path: [], want: "" },
    { path: ["name"], want: "name" },
    { path: ["delegates", 0, "plugins", 1, "type"], want: "delegates[0].plugins[1].type" },
    { path: [2, "x"], want: "[2].x" },
    { path: ["cni.dev/valid-attachments", 0, "ifname"], want: "cni.dev/valid-attachments[0].ifname" },
    {
      path: ["runtimeConfig", "io.kubernetes.cri.pod-annotations", "a"],
      want: "runtimeConfig['io.kubernetes.cri.pod-annotations'].a",
    },
  ];
  it.each(cases)("$want", ({ path, want }) => {
    expect(formatPath(path)).toBe(want);
  });
});

describe("kindOf", () => {
  const cases: { value: unknown; want: string }[] = [
    { value: null, want: "null" },
    { value: [], want: "array" },
    { value: {}, want: "object" },
    { value: "s", want: "string" },
    { value: 1, want: "number" },
    { value: false, want: "boolean" },
  ];
  it.each(cases)("$want", ({ value, want }) => {
    expect(kindOf(value)).toBe(want);
  });
});

describe("describeIssues", () => {
  const schema = z.object({
    flag: z.boolean().optional(),
    count: z.number().int().min(1).max(3).optional(),
    mode: z.enum(["a", "b"]).optional(),
    list: z.array(z.string()).min(2).optional(),
    text: z.string().min(1).max(2).optional(),
    required: z.string(),
  });
  const cases: { name: string; input: unknown; want: string }[] = [
    {
      name: "wrong type",
      input: { required: "", flag: "x" },
      want: 'cfg: field "flag": expected boolean, got string',
    },
    { name: "missing", input: {}, want: 'cfg: field "required": required (expected string)' },
    {
      name: "not an integer",
      input: { required: "", count: 1.25 },
      want: 'cfg: field "count": expected integer, got 1.25',
    },
    {
      name: "too small",
      input: { required: "", count: 0 },
      want: 'cfg: field "count": must be at least 1, got number 0',
    },
    {
      name: "too big",
      input: { required: "", count: 9 },
      want: 'cfg: field "count": must be at most 3, got number 9',
    },
    {
      name: "not an option",
      input: { required: "", mode: "c" },
      want: 'cfg: field "mode": expected one of "a", "b", got string "c"',
    },
    {
      name: "short list",
      input: { required: "", list: ["x"] },
      want: 'cfg: field "list": expected at least 2 items',
    },
    { name: "empty string", input: { required: "", text: "" }, want: 'cfg: field "text": must not be empty' },
    {
      name: "long string",
      input: { required: "", text: "abc" },
      want: 'cfg: field "text": expected at most 2 characters',
    },
    { name: "the whole value", input: [], want: "cfg: expected object, got array" },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    const result = schema.safeParse(input, { reportInput: true });
    expect(result.success).toBe(false);
    expect(describeIssues("cfg", result.error?.issues ?? [])).toBe(want);
  });

  it("a prefix goes in front of every path", () => {
    const result = z.object({ a: z.string() }).safeParse({ a: 1 }, { reportInput: true });
    expect(describeIssues("cfg", result.error?.issues ?? [], ["delegates", 3])).toBe(
      'cfg: field "delegates[3].a": expected string, got number',
    );
  });
});
