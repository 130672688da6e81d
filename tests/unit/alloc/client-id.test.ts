import { describe, expect, it } from "vitest";
import { decodeClientId } from "@/server/alloc/client-id";

describe("decodeClientId", () => {
  it("reads RFC 4361 identifiers: 255, IAID, DUID-LL", () => {
    const decoded = decodeClientId("ff0000000100030001020000000001");
    expect(decoded).toMatchObject({ kind: "rfc4361", iaid: 1, duid: { type: 3, typeName: "DUID-LL", short: "02:00:00:00:00:01", hex: "00030001020000000001" } });
    expect(decoded.summary).toBe("IAID 1 · DUID-LL 02:00:00:00:00:01");
    if (decoded.kind === "rfc4361") expect(decoded.duid.fields).toEqual([["Hardware type", "1 (Ethernet)"], ["Link-layer address", "02:00:00:00:00:01"]]);
  });

  it("reads DUID-LLT, DUID-EN and DUID-UUID (RFC 8415 §11)", () => {
    // Time 0x2a2a2a2a seconds after 2000-01-01.
    const llt = decodeClientId("ffdeadbeef000100012a2a2a2a020000000002");
    expect(llt).toMatchObject({ kind: "rfc4361", iaid: 0xdeadbeef, duid: { typeName: "DUID-LLT", short: "02:00:00:00:00:02" } });
    if (llt.kind === "rfc4361") expect(llt.duid.fields[1]).toEqual(["Time", `${0x2a2a2a2a} (${new Date((946_684_800 + 0x2a2a2a2a) * 1000).toISOString().replace(".000Z", "Z")})`]);
    expect(decodeClientId("ff00000002000200007ed90a0b0c").summary).toBe("IAID 2 · DUID-EN EN 32473 · 0a0b0c");
    expect(decodeClientId("ff000000030004000102030405060708090a0b0c0d0e0f").summary).toBe("IAID 3 · DUID-UUID 00010203-0405-0607-0809-0a0b0c0d0e0f");
    expect(decodeClientId("ff0000000400090102").summary).toBe("IAID 4 · DUID type 9 0102");
  });

  it("reads hardware type + address, and leaves anything else as hex", () => {
    expect(decodeClientId("01020000000005")).toMatchObject({ kind: "hardware", hardwareType: 1, address: "02:00:00:00:00:05", summary: "Hardware type 1 (Ethernet) · 02:00:00:00:00:05" });
    expect(decodeClientId("00616263")).toEqual({ kind: "raw", hex: "00616263", summary: "00616263" });
    expect(decodeClientId("ff00")).toEqual({ kind: "raw", hex: "ff00", summary: "ff00" });
    expect(decodeClientId("not hex")).toMatchObject({ kind: "raw" });
  });
});
