// A scripted `Exec` for tests: it records every call and answers from rules the test set up, checked in
// the order they were added. A call no rule matches fails loudly, naming the command line.
import type { Exec, ExecOptions, ExecResult } from "../../src/common/exec.ts";

export interface ExecCall {
  cmd: string;
  args: string[];
  options: ExecOptions;
  /** stdin as text, for easy assertions. */
  stdinText: string | undefined;
}

/** A reply: a (partial) result, an error to reject with, or a function of the call computing either. */
export type FakeReply = Partial<ExecResult> | { error: Error };
export type FakeResponder = FakeReply | ((call: ExecCall) => FakeReply | Promise<FakeReply>);

/** A command name (exact match of `cmd`) or a predicate over the call. */
export type CallMatcher = string | ((call: ExecCall) => boolean);

interface Rule {
  match: CallMatcher;
  respond: FakeResponder;
  remaining: number;
}

function matches(match: CallMatcher, call: ExecCall): boolean {
  return typeof match === "string" ? call.cmd === match : match(call);
}

function stdinText(stdin: ExecOptions["stdin"]): string | undefined {
  if (stdin === undefined || typeof stdin === "string") return stdin;
  return Buffer.from(stdin).toString("utf8");
}

export class FakeExec implements Exec {
  readonly calls: ExecCall[] = [];
  private readonly rules: Rule[] = [];

  /** Answers matching calls with `respond`, `times` times (default: always). Returns this for chaining. */
  on(match: CallMatcher, respond: FakeResponder, times = Number.POSITIVE_INFINITY): this {
    this.rules.push({ match, respond, remaining: times });
    return this;
  }

  /** Shorthand for a rule used once; several `once` rules for one command answer in order. */
  once(match: CallMatcher, respond: FakeResponder): this {
    return this.on(match, respond, 1);
  }

  /** The calls to one command. */
  callsTo(cmd: string): ExecCall[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  async run(cmd: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const call: ExecCall = { cmd, args: [...args], options, stdinText: stdinText(options.stdin) };
    this.calls.push(call);
    options.signal?.throwIfAborted();
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, call));
    if (rule === undefined) {
      throw new Error(`FakeExec: no reply scripted for ${[cmd, ...args].join(" ")}`);
    }
    rule.remaining--;
    const reply = typeof rule.respond === "function" ? await rule.respond(call) : rule.respond;
    if ("error" in reply) throw reply.error;
    return { code: 0, signal: null, stdout: "", stderr: "", ...reply };
  }
}
