// The shim's reading of the CNI server's HTTP/1.1 answer, whole, as it arrived before the server closed
// the connection (the request says `Connection: close`): the status line, the headers, and the body framed
// by Content-Length, or chunked, or up to the end. Pure. What is not a whole answer — no end of headers, a
// body shorter than its Content-Length, a chunked body without its last chunk — is "incomplete": the
// server died mid-answer.
//
// Why by hand: the shim makes exactly one request per process, and node:http costs ~9 ms of its start
// (module graph and first-request set-up; docs/performance.md) for a POST and a framed answer from a server
// this project runs itself. The request side is one string (forward.ts).
//
// Public API: `HttpAnswer`, `HttpAnswerParse`, `parseHttpAnswer`, `httpRequestText`.

export interface HttpAnswer {
  status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  headers: ReadonlyMap<string, string>;
  body: string;
}

export type HttpAnswerParse =
  | { kind: "answer"; answer: HttpAnswer }
  | { kind: "incomplete"; reason: string }
  | { kind: "invalid"; reason: string };

const STATUS_LINE_RE = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/;
const HEADER_END = Buffer.from("\r\n\r\n");

/** The request: POST `path` with a JSON body, one per connection. */
export function httpRequestText(path: string, json: string): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`
  );
}

function decodeChunked(body: Buffer): { ok: true; text: string } | { ok: false; reason: string } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) return { ok: false, reason: "the chunked body was cut off" };
    const sizeText = body.subarray(at, lineEnd).toString("latin1").split(";")[0]?.trim() ?? "";
    if (!/^[0-9a-fA-F]+$/.test(sizeText))
      return { ok: false, reason: `bad chunk size ${JSON.stringify(sizeText)}` };
    const size = Number.parseInt(sizeText, 16);
    if (size === 0) return { ok: true, text: Buffer.concat(parts).toString("utf8") };
    const start = lineEnd + 2;
    if (body.length < start + size + 2) return { ok: false, reason: "the chunked body was cut off" };
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
}

function headersOf(lines: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** The answer in `raw` (everything the connection delivered). */
export function parseHttpAnswer(raw: Buffer): HttpAnswerParse {
  const end = raw.indexOf(HEADER_END);
  if (end < 0) {
    return raw.length === 0
      ? { kind: "incomplete", reason: "the connection closed without an answer" }
      : { kind: "incomplete", reason: "the answer was cut off in its headers" };
  }
  const [statusLine = "", ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = STATUS_LINE_RE.exec(statusLine);
  if (status === null)
    return { kind: "invalid", reason: `not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 80))}` };
  const headers = headersOf(lines);
  const rest = raw.subarray(end + HEADER_END.length);
  let body: string;
  if ((headers.get("transfer-encoding") ?? "").toLowerCase() === "chunked") {
    const decoded = decodeChunked(rest);
    if (!decoded.ok) return { kind: "incomplete", reason: decoded.reason };
    body = decoded.text;
  } else if (headers.has("content-length")) {
    const length = Number(headers.get("content-length"));
    if (!Number.isInteger(length) || length < 0) return { kind: "invalid", reason: "a bad Content-Length" };
    if (rest.length < length) return { kind: "incomplete", reason: "the answer was cut off" };
    body = rest.subarray(0, length).toString("utf8");
  } else {
    body = rest.toString("utf8");
  }
  return { kind: "answer", answer: { status: Number(status[1]), headers, body } };
}
