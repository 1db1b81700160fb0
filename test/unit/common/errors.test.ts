// errorMessage flattens cause chains into one line; CodedError codes are found through causes.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CodedError, errorCodeOf, errorMessage, isSystemError } from "../../../src/common/errors.ts";

function cyclic(): Error {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  a.cause = b;
  return b;
}

function systemError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe("errorMessage", () => {
  const cases: { name: string; input: unknown; want: string }[] = [
    { name: "plain error", input: new Error("boom"), want: "boom" },
    {
      name: "cause chain, outermost first",
      input: new Error("write CDI spec for claim ns/a", { cause: new Error("open /x", { cause: "EACCES" }) }),
      want: "write CDI spec for claim ns/a: open /x: EACCES",
    },
    {
      name: "message already ending with its cause is not repeated",
      input: new Error("prepare: disk full", { cause: new Error("disk full") }),
      want: "prepare: disk full",
    },
    { name: "string", input: "just text", want: "just text" },
    { name: "undefined", input: undefined, want: "undefined" },
    { name: "plain object", input: { code: 7 }, want: '{"code":7}' },
    { name: "empty message falls back to the name", input: new TypeError(""), want: "TypeError" },
    { name: "cycle terminates", input: cyclic(), want: "b: a" },
    {
      name: "aggregate lists its errors",
      input: new AggregateError([new Error("x"), new Error("y", { cause: new Error("z") })], "both failed"),
      want: "both failed [x; y: z]",
    },
    {
      name: "zod error becomes path: message",
      input: z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "s" } }).error,
      want: "a.b: Invalid input: expected number, received string",
    },
    {
      name: "coded error in the middle",
      input: new Error("outer", { cause: new CodedError("TIMEOUT", "inner timed out") }),
      want: "outer: inner timed out",
    },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    expect(errorMessage(input)).toBe(want);
  });
});

describe("errorCodeOf", () => {
  const cases: { name: string; input: unknown; want: string | undefined }[] = [
    { name: "coded error", input: new CodedError("NOT_FOUND", "x"), want: "NOT_FOUND" },
    {
      name: "code deep in the chain",
      input: new Error("a", { cause: new CodedError("TIMEOUT", "b") }),
      want: "TIMEOUT",
    },
    {
      name: "outermost code wins",
      input: new CodedError("INVALID_CONFIG", "a", { cause: new CodedError("NOT_FOUND", "b") }),
      want: "INVALID_CONFIG",
    },
    {
      name: "system errno code is not a CodedError code",
      input: systemError("ENOENT", "gone"),
      want: undefined,
    },
    { name: "non-error", input: "text", want: undefined },
    {
      name: "extended code union",
      input: new CodedError<"CNI_DECODE">("CNI_DECODE", "bad"),
      want: "CNI_DECODE",
    },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    expect(errorCodeOf(input)).toBe(want);
  });
});

describe("CodedError", () => {
  it("keeps message, code, cause and name", () => {
    const cause = new Error("root");
    const err = new CodedError("CORRUPT", "bad file", { cause });
    expect(err).toBeInstanceOf(Error);
    expect({ name: err.name, message: err.message, code: err.code, cause: err.cause }).toEqual({
      name: "CodedError",
      message: "bad file",
      code: "CORRUPT",
      cause,
    });
  });
});

describe("isSystemError", () => {
  const cases = [
    { name: "matching code", input: systemError("ENOENT", "x"), code: "ENOENT", want: true },
    { name: "other code", input: systemError("EACCES", "x"), code: "ENOENT", want: false },
    { name: "no code", input: new Error("x"), code: "ENOENT", want: false },
    { name: "not an error", input: { code: "ENOENT" }, code: "ENOENT", want: false },
  ];
  it.each(cases)("$name", ({ input, code, want }) => {
    expect(isSystemError(input, code)).toBe(want);
  });
});
