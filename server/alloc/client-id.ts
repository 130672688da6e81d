// What an operator reads in a client identifier (option 61, stored as lowercase hex).
//
// - RFC 4361 §6.1: type 255, then a 4-byte IAID, then a DUID (RFC 8415 §11: a 2-byte type and
//   1..128 bytes). DUID types: 1 LLT (hardware type, time, link-layer address), 2 EN
//   (enterprise number, identifier), 3 LL (hardware type, link-layer address), 4 UUID.
// - RFC 2132 §9.14: any other first byte is a hardware type followed by the hardware address
//   (Portshare also stores "01" + chaddr for clients that send no option 61).
// - Anything else is shown as hex.

/** Seconds from 1970-01-01 to 2000-01-01 (DUID-LLT time base, RFC 8415 §11.2). */
const DUID_EPOCH = 946_684_800;

export type DecodedClientId =
  | {
      readonly kind: "rfc4361";
      readonly hex: string;
      /** IAID as an unsigned 32-bit number. */
      readonly iaid: number;
      readonly duid: DecodedDuid;
      /** One line: "IAID 1 · DUID-LL 02:00:00:00:00:01". */
      readonly summary: string;
    }
  | { readonly kind: "hardware"; readonly hex: string; readonly hardwareType: number; readonly address: string; readonly summary: string }
  | { readonly kind: "raw"; readonly hex: string; readonly summary: string };

export interface DecodedDuid {
  /** The DUID as hex (type included), e.g. "00030001020000000001". */
  readonly hex: string;
  readonly type: number;
  /** "DUID-LLT", "DUID-EN", "DUID-LL", "DUID-UUID" or "DUID type 9". */
  readonly typeName: string;
  /** Labelled parts, e.g. [["Hardware type", "1 (Ethernet)"], ["Link-layer address", "02:00:…"]]. */
  readonly fields: readonly (readonly [label: string, value: string])[];
  /** The part an operator recognises: the link-layer address, "EN 32473 · 0a0b", the UUID. */
  readonly short: string;
}

const HARDWARE_TYPES: Record<number, string> = { 1: "Ethernet", 6: "IEEE 802", 32: "InfiniBand" };

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
/** "02:00:00:00:00:01". */
export const colonHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
const hardwareTypeText = (type: number) => (HARDWARE_TYPES[type] ? `${type} (${HARDWARE_TYPES[type]})` : String(type));

function bytesOf(hex: string): Uint8Array | null {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** RFC 8415 §11: a DUID's type and its parts. */
export function decodeDuid(bytes: Uint8Array): DecodedDuid {
  const hex = hexOf(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes.length >= 2 ? view.getUint16(0) : -1;
  const body = bytes.subarray(2);
  const unknown = (typeName: string): DecodedDuid => ({ hex, type, typeName, fields: [["Data", hexOf(body) || "(none)"]], short: hexOf(body) });
  switch (type) {
    case 1: {
      if (body.length < 7) return unknown("DUID-LLT");
      const hardwareType = view.getUint16(2);
      const time = view.getUint32(4);
      const address = colonHex(bytes.subarray(8));
      const when = new Date((DUID_EPOCH + time) * 1000).toISOString().replace(".000Z", "Z");
      return {
        hex,
        type,
        typeName: "DUID-LLT",
        fields: [
          ["Hardware type", hardwareTypeText(hardwareType)],
          ["Time", `${time} (${when})`],
          ["Link-layer address", address],
        ],
        short: address,
      };
    }
    case 2: {
      if (body.length < 5) return unknown("DUID-EN");
      const enterprise = view.getUint32(2);
      const identifier = hexOf(bytes.subarray(6));
      return {
        hex,
        type,
        typeName: "DUID-EN",
        fields: [
          ["Enterprise number", String(enterprise)],
          ["Identifier", identifier],
        ],
        short: `EN ${enterprise} · ${identifier}`,
      };
    }
    case 3: {
      if (body.length < 3) return unknown("DUID-LL");
      const hardwareType = view.getUint16(2);
      const address = colonHex(bytes.subarray(4));
      return {
        hex,
        type,
        typeName: "DUID-LL",
        fields: [
          ["Hardware type", hardwareTypeText(hardwareType)],
          ["Link-layer address", address],
        ],
        short: address,
      };
    }
    case 4: {
      if (body.length !== 16) return unknown("DUID-UUID");
      const h = hexOf(body);
      const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      return { hex, type, typeName: "DUID-UUID", fields: [["UUID", uuid]], short: uuid };
    }
    default:
      return unknown(type < 0 ? "DUID (too short)" : `DUID type ${type}`);
  }
}

/** Decodes a stored client identifier for the console; never throws. */
export function decodeClientId(hex: string): DecodedClientId {
  const lower = hex.toLowerCase();
  const bytes = bytesOf(lower);
  if (!bytes) return { kind: "raw", hex: lower, summary: lower };
  // RFC 4361 §6.1: 255 + IAID (4) + DUID (2-byte type + at least 1 byte).
  if (bytes[0] === 255 && bytes.length >= 8) {
    const iaid = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
    const duid = decodeDuid(bytes.subarray(5));
    return { kind: "rfc4361", hex: lower, iaid, duid, summary: `IAID ${iaid} · ${duid.typeName} ${duid.short}` };
  }
  // RFC 2132 §9.14: hardware type + hardware address (an Ethernet MAC is 6 bytes).
  if (bytes[0] !== 0 && bytes[0] !== 255 && bytes.length === 7) {
    const address = colonHex(bytes.subarray(1));
    return { kind: "hardware", hex: lower, hardwareType: bytes[0]!, address, summary: `Hardware type ${hardwareTypeText(bytes[0]!)} · ${address}` };
  }
  return { kind: "raw", hex: lower, summary: lower };
}
