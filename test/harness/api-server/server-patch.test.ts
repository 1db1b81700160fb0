import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call, pod } from "./test-client.ts";

let server: FakeApiServer;
let url: string;
beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  url = server.url;
});
afterEach(async () => {
  await server.stop();
});

const PODS = "/api/v1/namespaces/default/pods";
const MERGE = "application/merge-patch+json";
const JSON_PATCH = "application/json-patch+json";
const STRATEGIC = "application/strategic-merge-patch+json";

describe("patch", () => {
  const cases = [
    {
      name: "merge patch adds a label",
      type: MERGE,
      body: { metadata: { labels: { b: "2" } } },
      labels: { a: "1", b: "2" },
    },
    {
      name: "JSON patch removes a label",
      type: JSON_PATCH,
      body: [{ op: "remove", path: "/metadata/labels/a" }],
      labels: undefined,
    },
    {
      name: "strategic merge patch merges labels",
      type: STRATEGIC,
      body: { metadata: { labels: { c: "3" } } },
      labels: { a: "1", c: "3" },
    },
  ];
  it.each(cases)("$name", async ({ type, body, labels }) => {
    server.seed(pod("p", { metadata: { name: "p", namespace: "default", labels: { a: "1" } } }));
    const reply = await call(url, "PATCH", `${PODS}/p`, body, type);
    expect(reply.status).toBe(200);
    expect((reply.body["metadata"] as { labels?: unknown }).labels).toEqual(labels);
  });

  const failures = [
    {
      name: "a failing JSON patch test is 422",
      type: JSON_PATCH,
      body: [{ op: "test", path: "/metadata/name", value: "q" }],
      code: 422,
      reason: "Invalid",
    },
    {
      name: "a stale resourceVersion in the patch is 409",
      type: MERGE,
      body: { metadata: { resourceVersion: "1", labels: { x: "y" } } },
      code: 409,
      reason: "Conflict",
    },
    {
      name: "an unknown content type is 415",
      type: "application/json",
      body: {},
      code: 415,
      reason: "UnsupportedMediaType",
    },
    {
      name: "force on a non-apply patch is 422",
      type: MERGE,
      body: {},
      query: "?force=true",
      code: 422,
      reason: "Invalid",
    },
    {
      name: "renaming through a patch is 400",
      type: MERGE,
      body: { metadata: { name: "q" } },
      code: 400,
      reason: "BadRequest",
    },
    { name: "malformed JSON is 400", type: MERGE, body: "{not json", code: 400, reason: "BadRequest" },
  ];
  it.each(failures)("$name", async ({ type, body, query, code, reason }) => {
    server.seed(pod("p", { metadata: { name: "p", namespace: "default" } }));
    const reply = await call(url, "PATCH", `${PODS}/p${query ?? ""}`, body, type);
    expect(reply.status).toBe(code);
    expect(reply.body["reason"]).toBe(reason);
  });

  it("a patch of a missing object is 404", async () => {
    expect((await call(url, "PATCH", `${PODS}/nope`, {}, MERGE)).status).toBe(404);
  });

  it("strategic merge patch on /status merges pod conditions by type", async () => {
    server.seed(
      pod("p", {
        metadata: { name: "p", namespace: "default" },
        status: {
          phase: "Running",
          conditions: [
            { type: "Ready", status: "False" },
            { type: "PodScheduled", status: "True" },
          ],
        },
      }),
    );
    const reply = await call(
      url,
      "PATCH",
      `${PODS}/p/status`,
      { status: { conditions: [{ type: "Ready", status: "True" }] } },
      STRATEGIC,
    );
    expect(reply.body["status"]).toEqual({
      phase: "Running",
      conditions: [
        { type: "Ready", status: "True" },
        { type: "PodScheduled", status: "True" },
      ],
    });
  });

  it("records Update managers in managedFields", async () => {
    server.seed(pod("p", { metadata: { name: "p", namespace: "default" } }));
    const reply = await call(
      url,
      "PATCH",
      `${PODS}/p?fieldManager=netclaim-controller`,
      { metadata: { labels: { a: "1" } } },
      MERGE,
    );
    const managed = (reply.body["metadata"] as { managedFields: Array<Record<string, unknown>> })
      .managedFields;
    expect(managed).toEqual([
      expect.objectContaining({
        manager: "netclaim-controller",
        operation: "Update",
        apiVersion: "v1",
        fieldsV1: { "f:metadata": { "f:labels": { "f:a": {} } } },
      }),
    ]);
  });
});
