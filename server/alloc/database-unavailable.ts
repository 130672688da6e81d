/**
 * A lease write that could not be committed (the database is unreachable, or failed). The
 * exchange gets no reply — never an ACK without its commit — and the client retransmits.
 */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    super(`lease database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "DatabaseUnavailable";
  }
}
