// The contract between the socket worker (server/udp) and the protocol handler: the worker
// imports it from here, because imports point from udp to dhcp4o6 (architecture.md).

/** Where a datagram came from, as node:dgram reports it. */
export interface DatagramSource {
  address: string;
  port: number;
}

/** What the protocol handler decided about one datagram. */
export type HandlingResult =
  | { kind: "reply"; bytes: Uint8Array; address: string; port: number; receivedType: string; sentType: string }
  /** Handled, and the protocol says no reply (RELEASE, DECLINE, RFC 7618 §8.1 silence, ...). */
  | { kind: "no-reply"; reason: string; receivedType: string }
  /** Not handled: bad input, or nothing we can serve. Counted by reason. */
  | { kind: "drop"; reason: string; receivedType?: string };

/**
 * The protocol side of the worker: one datagram in, one decision out. Bad input is a "drop"
 * with a reason, never an exception; the worker still guards against one.
 */
export interface DatagramHandler {
  handle(datagram: Buffer, source: DatagramSource): Promise<HandlingResult>;
}
