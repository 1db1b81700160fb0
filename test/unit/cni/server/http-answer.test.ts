// The shim's reading of the CNI server's answer (src/cni/shim/http-answer.ts): framed by Content-Length,
// chunked (with extensions), or up to the end; what was cut off is incomplete, what is not HTTP invalid.
// The request text is checked against node's own HTTP parser in forward.test.ts (a real node:http server).
import { describe, expect, it } from "vitest";
import { httpRequestText, parseHttpAnswer } from "../../../../src/cni/shim/http-answer.ts";

const raw = (text: string): Buffer => Buffer.from(text, "utf8");
const json = '{"exitCode":0,"stdout":"ü"}';

describe("parseHttpAnswer", () => {
  it.each([
    {
      name: "Content-Length (bytes, not characters)",
      text: `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      status: 200,
      body: json,
    },
    {
      name: "Content-Length shorter than what follows: only that many bytes",
      text: "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}trailing",
      status: 503,
      body: "{}",
    },
    {
      name: "chunked, two chunks and an extension",
      text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{"ex\r\n9\r\nitCode":1\r\n3\r\n}xx\r\n0\r\n\r\n',
      status: 200,
      body: '{"exitCode":1}xx',
    },
    {
      name: "no framing: up to the end (Connection: close)",
      text: "HTTP/1.0 404 Not Found\r\nConnection: close\r\n\r\nno such path\n",
      status: 404,
      body: "no such path\n",
    },
  ])("$name", ({ text, status, body }) => {
    const parsed = parseHttpAnswer(raw(text));
    expect(parsed.kind).toBe("answer");
    if (parsed.kind === "answer") {
      expect(parsed.answer.status).toBe(status);
      expect(parsed.answer.body).toBe(body);
    }
  });

  it.each([
    { name: "nothing", text: "", reason: "the connection closed without an answer" },
    {
      name: "cut in the headers",
      text: "HTTP/1.1 200 OK\r\nContent-Le",
      reason: "the answer was cut off in its headers",
    },
    {
      name: "body shorter than Content-Length",
      text: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
      reason: "the answer was cut off",
    },
    {
      name: "chunked without its last chunk",
      text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
      reason: "the chunked body was cut off",
    },
  ])("incomplete: $name", ({ text, reason }) => {
    expect(parseHttpAnswer(raw(text))).toEqual({ kind: "incomplete", reason });
  });

  it.each([
    { name: "not HTTP", text: "SSH-2.0-OpenSSH\r\n\r\n", reason: /^not an HTTP answer: "SSH-2.0-OpenSSH"$/ },
    {
      name: "a bad Content-Length",
      text: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      reason: /Content-Length/,
    },
    {
      name: "a bad chunk size",
      text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      reason: /bad chunk size "zz"/,
    },
  ])("invalid or broken: $name", ({ text, reason }) => {
    const parsed = parseHttpAnswer(raw(text));
    expect(parsed.kind).not.toBe("answer");
    if (parsed.kind !== "answer") expect(parsed.reason).toMatch(reason);
  });
});

describe("httpRequestText", () => {
  it("is one POST with the body's byte length and Connection: close", () => {
    const text = httpRequestText("/cni", json);
    expect(text.split("\r\n\r\n")).toEqual([
      `POST /cni HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close`,
      json,
    ]);
  });
});
