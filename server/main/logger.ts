import pino, { type Logger } from "pino";
import type { Settings } from "./settings";

export type { Logger } from "pino";

/** Structured JSON lines on stdout (one per exchange at debug, problems at warn). */
export function createLogger(level: Settings["LOG_LEVEL"]): Logger {
  return pino({ level, base: { pid: process.pid } });
}
