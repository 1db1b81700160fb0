// `netclaim controller` flags: DESIGN.md's names, the leader-election defaults (15 s / 10 s / 2 s),
// env NETCLAIM_<FLAG>, flags over env, and client-go's timing checks as configuration errors.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../../src/common/config.ts";
import { CONTROLLER_FLAGS, checkTimings } from "../../../../src/controller/main.ts";
import type { ControllerConfig } from "../../../../src/controller/main.ts";

describe("controller flags", () => {
  it("has DESIGN.md's flags and client-go's leader-election defaults", () => {
    const result = resolveConfig(CONTROLLER_FLAGS, {}, {});
    expect(result).toEqual({
      ok: true,
      config: {
        kubeconfig: undefined,
        driverName: "netclaim.dev",
        leaderElectionNamespace: undefined,
        leaderElectionLeaseName: "netclaim-controller",
        leaderElectionIdentity: undefined,
        leaderElectionLeaseDuration: 15_000,
        leaderElectionRenewDeadline: 10_000,
        leaderElectionRetryPeriod: 2_000,
        resourceSliceGcGracePeriod: 60_000,
        ipPoolGcGracePeriod: 300_000,
        metricsAddress: undefined,
        logLevel: "info",
      },
      sources: expect.any(Object) as unknown,
    });
  });

  it.each([
    {
      name: "env",
      flags: {},
      env: { NETCLAIM_LEADER_ELECTION_NAMESPACE: "netclaim", NETCLAIM_METRICS_ADDRESS: ":8080" },
      want: { leaderElectionNamespace: "netclaim", metricsAddress: ":8080" },
    },
    {
      name: "a flag over env",
      flags: { driverName: "net.example.com" },
      env: { NETCLAIM_DRIVER_NAME: "other.dev" },
      want: { driverName: "net.example.com" },
    },
    {
      name: "durations",
      flags: { leaderElectionLeaseDuration: "1m", resourceSliceGcGracePeriod: "90s" },
      env: {},
      want: { leaderElectionLeaseDuration: 60_000, resourceSliceGcGracePeriod: 90_000 },
    },
  ])("$name", ({ flags, env, want }) => {
    expect(resolveConfig(CONTROLLER_FLAGS, flags, env)).toMatchObject({ ok: true, config: want });
  });

  it("reports every bad value at once", () => {
    const result = resolveConfig(
      CONTROLLER_FLAGS,
      { driverName: "Not_A_Name", logLevel: "loud", leaderElectionRetryPeriod: "soon" },
      {},
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => e.split(":")[0])).toEqual([
      "--driver-name",
      "--leader-election-retry-period",
      "--log-level",
    ]);
  });

  it.each([
    { name: "defaults", lease: 15_000, renew: 10_000, retry: 2_000, error: undefined },
    { name: "renew >= lease", lease: 5_000, renew: 10_000, retry: 2_000, error: /leaseDuration/ },
    { name: "retry too long for renew", lease: 15_000, renew: 2_000, retry: 2_000, error: /renewDeadline/ },
  ])("checkTimings: $name", ({ lease, renew, retry, error }) => {
    const config = {
      leaderElectionLeaseDuration: lease,
      leaderElectionRenewDeadline: renew,
      leaderElectionRetryPeriod: retry,
    } as ControllerConfig;
    if (error === undefined) expect(() => checkTimings(config)).not.toThrow();
    else expect(() => checkTimings(config)).toThrow(error);
  });
});
