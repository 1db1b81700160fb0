// A hand-written Transport for resource-client tests: records each request and answers from a
// script (a status with a body given whole or in chunks, a live stream, or a transport error).
import { PassThrough, Readable } from "node:stream";
import type { HttpRequest, HttpResponse, Transport } from "../../src/k8s/http-transport.ts";

type Reply =
  { status: number; chunks: string[] } | { status: number; stream: PassThrough } | { error: Error };

export class FakeTransport implements Transport {
  readonly requests: HttpRequest[] = [];
  readonly #replies: Reply[] = [];

  /** Answers the next request with `status` and `body` (JSON-encoded unless a string). */
  reply(status: number, body: unknown = {}): this {
    this.#replies.push({ status, chunks: [typeof body === "string" ? body : JSON.stringify(body)] });
    return this;
  }

  /** Answers with a body delivered in these chunks (to test framing across chunk boundaries). */
  replyChunks(status: number, chunks: string[]): this {
    this.#replies.push({ status, chunks });
    return this;
  }

  /** Answers 200 with a body the test keeps writing to (a live watch). */
  replyStream(): PassThrough {
    const stream = new PassThrough();
    this.#replies.push({ status: 200, stream });
    return stream;
  }

  fail(error: Error): this {
    this.#replies.push({ error });
    return this;
  }

  last(): HttpRequest {
    const req = this.requests.at(-1);
    if (req === undefined) throw new Error("no request was sent");
    return req;
  }

  /** The last request's body, parsed. */
  lastBody(): unknown {
    const body = this.last().body;
    return body === undefined ? undefined : JSON.parse(body);
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    const reply = this.#replies.shift();
    if (reply === undefined)
      return Promise.reject(new Error(`FakeTransport: no reply scripted for ${req.method} ${req.path}`));
    if ("error" in reply) return Promise.reject(reply.error);
    if ("stream" in reply) {
      req.signal?.addEventListener("abort", () => reply.stream.destroy(req.signal?.reason as Error), {
        once: true,
      });
      return Promise.resolve({ status: reply.status, headers: {}, body: reply.stream });
    }
    return Promise.resolve({
      status: reply.status,
      headers: {},
      body: Readable.from(reply.chunks.map((c) => Buffer.from(c))),
    });
  }
}
