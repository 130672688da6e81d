/**
 * The one error type the decoders throw. The UDP worker catches it, counts the drop by
 * `code` and moves on; any other exception escaping a decoder is a bug.
 */

/** What was wrong with the bytes. Stable strings: metrics are labelled with them. */
export type DecodeErrorCode =
  /** A field or option runs past the end of the bytes that carry it. */
  | "truncated"
  /** A length field holds a value the field's definition forbids (e.g. option 54 of length 3). */
  | "bad-length"
  /** A field's value is outside its allowed range (e.g. hlen 17, PSID offset 16). */
  | "bad-value"
  /** The DHCPv4 magic cookie is not 99.130.83.99 (RFC 2131 §3). */
  | "bad-cookie"
  /** Option 52 is malformed, has an unknown value, or appears inside `file`/`sname` (RFC 2131 §4.1). */
  | "bad-overload"
  /** More nested relay layers than the server accepts (protocol.md §9 row 2). */
  | "too-deep"
  /** An option the message must carry is absent (option 9 in a relay, option 87 in a 4o6 query). */
  | "missing-option"
  /** An option that must appear once appears several times. */
  | "duplicate-option"
  /** A well-formed message of a type that is not expected where it was found. */
  | "unexpected-message";

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  /** Machine-readable reason, see {@link DecodeErrorCode}. */
  readonly code: DecodeErrorCode;
  /** Byte offset of the offending field, counted from the start of the buffer handed to the decoder. */
  readonly offset: number;
  /** Human name of the offending field, e.g. "DHCPv4 option 61 (Client Identifier)". */
  readonly field: string;

  constructor(code: DecodeErrorCode, offset: number, field: string, detail: string) {
    // Hostile traffic turns into a stream of these: skip the stack capture (~5 µs each,
    // ten decodes' worth). code, offset and field say all there is to say.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${field}: ${detail} (at offset ${offset})`);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.offset = offset;
    this.field = field;
  }
}
