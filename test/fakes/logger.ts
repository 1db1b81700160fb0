// A logger for tests that keeps what it writes: the real pino setup (levels, redaction, formatting) over
// an in-memory stream, so tests can assert on the JSON lines a component logged.
import { createLogger } from "../../src/common/logger.ts";
import type { Logger, LoggerOptions } from "../../src/common/logger.ts";

export interface CapturedLogger {
  logger: Logger;
  /** Raw lines written so far, without the trailing newline. */
  rawLines(): string[];
  /** Lines written so far, parsed. */
  lines(): Record<string, unknown>[];
}

export function captureLogger(options: Omit<LoggerOptions, "destination"> = {}): CapturedLogger {
  const chunks: string[] = [];
  const logger = createLogger({
    level: "trace",
    ...options,
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  const rawLines = (): string[] =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l !== "");
  return {
    logger,
    rawLines,
    lines: () => rawLines().map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
