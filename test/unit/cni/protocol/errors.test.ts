// The spec's error codes, mapping anything thrown to a CniError, and the error result on the wire.
import { describe, expect, it } from "vitest";
import { CodedError, errorCodeOf } from "../../../../src/common/errors.ts";
import {
  CNI_ERROR_CODES,
  CniError,
  renderCniError,
  toCniError,
} from "../../../../src/cni/protocol/errors.ts";

describe("CNI_ERROR_CODES", () => {
  it("has the spec's well-known codes (SPEC 1.1.0) at their numbers", () => {
    expect({
      INCOMPATIBLE_VERSION: CNI_ERROR_CODES.INCOMPATIBLE_VERSION,
      UNSUPPORTED_FIELD: CNI_ERROR_CODES.UNSUPPORTED_FIELD,
      UNKNOWN_CONTAINER: CNI_ERROR_CODES.UNKNOWN_CONTAINER,
      INVALID_ENVIRONMENT: CNI_ERROR_CODES.INVALID_ENVIRONMENT,
      IO_FAILURE: CNI_ERROR_CODES.IO_FAILURE,
      DECODE_FAILURE: CNI_ERROR_CODES.DECODE_FAILURE,
      INVALID_NETWORK_CONFIG: CNI_ERROR_CODES.INVALID_NETWORK_CONFIG,
      TRY_AGAIN_LATER: CNI_ERROR_CODES.TRY_AGAIN_LATER,
      PLUGIN_NOT_AVAILABLE: CNI_ERROR_CODES.PLUGIN_NOT_AVAILABLE,
      LIMITED_CONNECTIVITY: CNI_ERROR_CODES.LIMITED_CONNECTIVITY,
    }).toEqual({
      INCOMPATIBLE_VERSION: 1,
      UNSUPPORTED_FIELD: 2,
      UNKNOWN_CONTAINER: 3,
      INVALID_ENVIRONMENT: 4,
      IO_FAILURE: 5,
      DECODE_FAILURE: 6,
      INVALID_NETWORK_CONFIG: 7,
      TRY_AGAIN_LATER: 11,
      PLUGIN_NOT_AVAILABLE: 50,
      LIMITED_CONNECTIVITY: 51,
    });
  });

  it("keeps netclaim's own codes in 100-119, distinct, INTERNAL = 100", () => {
    const codes = Object.values(CNI_ERROR_CODES);
    const own = codes.filter((c) => c >= 100);
    expect(new Set(codes).size).toBe(codes.length);
    expect(own.every((c) => c <= 119)).toBe(true);
    expect(CNI_ERROR_CODES.INTERNAL).toBe(100);
    expect(codes.filter((c) => c < 100 && ![1, 2, 3, 4, 5, 6, 7, 11, 50, 51].includes(c))).toEqual([]);
  });
});

describe("CniError", () => {
  it("carries a name code (found by errorCodeOf), the wire number, msg and details", () => {
    const err = new CniError("INVALID_ENVIRONMENT", "required env variables [CNI_NETNS] missing", {
      details: "d",
    });
    expect([err.code, err.cniCode, err.msg, err.details, err.message]).toEqual([
      "INVALID_ENVIRONMENT",
      4,
      "required env variables [CNI_NETNS] missing",
      "d",
      "required env variables [CNI_NETNS] missing",
    ]);
    expect(err).toBeInstanceOf(CodedError);
    expect(errorCodeOf(new Error("outer", { cause: err }))).toBe("INVALID_ENVIRONMENT");
  });
});

describe("toCniError", () => {
  const inner = new CniError("DELEGATE_FAILED", "delegate macvlan failed", { details: "exit 1" });
  const cases: { name: string; thrown: unknown; want: { code: number; msg: string; details?: string } }[] = [
    {
      name: "a CniError as it is",
      thrown: inner,
      want: { code: 101, msg: "delegate macvlan failed", details: "exit 1" },
    },
    {
      name: "a wrapped CniError keeps its code and details; the message is the whole chain",
      thrown: new Error('ADD ns/pod network "macvlan"', { cause: inner }),
      want: { code: 101, msg: 'ADD ns/pod network "macvlan": delegate macvlan failed', details: "exit 1" },
    },
    {
      name: "a CodedError named after a CNI code (what src/api throws)",
      thrown: new CodedError(
        "INVALID_NETWORK_CONFIG",
        'netclaim config: field "x": expected boolean, got string',
      ),
      want: { code: 7, msg: 'netclaim config: field "x": expected boolean, got string' },
    },
    {
      name: "src/common INVALID_CONFIG → 7",
      thrown: new CodedError("INVALID_CONFIG", "bad"),
      want: { code: 7, msg: "bad" },
    },
    {
      name: "src/common CORRUPT → 6",
      thrown: new CodedError("CORRUPT", "corrupt JSON in /x"),
      want: { code: 6, msg: "corrupt JSON in /x" },
    },
    {
      name: "src/common TIMEOUT → 11",
      thrown: new CodedError("TIMEOUT", "timed out"),
      want: { code: 11, msg: "timed out" },
    },
    {
      name: "src/common EXEC_NOT_FOUND → 102",
      thrown: new Error("run delegate", {
        cause: new CodedError("EXEC_NOT_FOUND", "executable not found: /opt/cni/bin/x"),
      }),
      want: { code: 102, msg: "run delegate: executable not found: /opt/cni/bin/x" },
    },
    {
      name: "an unmapped CodedError is INTERNAL",
      thrown: new CodedError("NOT_FOUND", "gone"),
      want: { code: 100, msg: "gone" },
    },
    {
      name: "a plain Error is INTERNAL",
      thrown: new Error("boom", { cause: new Error("why") }),
      want: { code: 100, msg: "boom: why" },
    },
    { name: "a thrown string", thrown: "text", want: { code: 100, msg: "text" } },
    {
      name: "the outermost coded link decides",
      thrown: new CniError("TRY_AGAIN_LATER", "api lagging", {
        cause: new CodedError("INVALID_CONFIG", "x"),
      }),
      want: { code: 11, msg: "api lagging" },
    },
  ];
  it.each(cases)("$name", ({ thrown, want }) => {
    const got = toCniError(thrown);
    const plain = {
      code: got.cniCode,
      msg: got.msg,
      ...(got.details === undefined ? {} : { details: got.details }),
    };
    expect(plain).toEqual(want);
  });
});

describe("renderCniError", () => {
  it("renders {cniVersion, code, msg, details}", () => {
    const err = new CniError("INCOMPATIBLE_VERSION", "incompatible CNI versions", {
      details: 'config is "2.0.0"',
    });
    expect(renderCniError(err, "1.0.0")).toEqual({
      cniVersion: "1.0.0",
      code: 1,
      msg: "incompatible CNI versions",
      details: 'config is "2.0.0"',
    });
  });

  it("omits empty details", () => {
    expect(renderCniError(new CniError("IO_FAILURE", "read stdin", { details: "" }), "0.4.0")).toEqual({
      cniVersion: "0.4.0",
      code: 5,
      msg: "read stdin",
    });
    expect(Object.keys(renderCniError(new Error("x"), "1.1.0"))).toEqual(["cniVersion", "code", "msg"]);
  });
});
