/**
 * Thrown by the encoders when the value handed to them cannot be put on the wire
 * (a field out of range, a message that does not fit). It signals a bug or a bad
 * configuration on our side, never bad input from the network.
 */

export type EncodeErrorCode =
  /** A field's value is outside what its wire format can carry. */
  | "bad-value"
  /** The message (or an option) does not fit in its length field or the size limit asked for. */
  | "too-long"
  /** More nested relay layers than the decoder would accept back. */
  | "too-deep";

export class EncodeError extends Error {
  override readonly name = "EncodeError";
  readonly code: EncodeErrorCode;
  /** Name of the offending field, e.g. "DHCPv4 xid". */
  readonly field: string;

  constructor(code: EncodeErrorCode, field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.code = code;
    this.field = field;
  }
}
