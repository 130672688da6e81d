/** OPTION_V4_PORTPARAMS (159) / OPTION_S46_PORTPARAMS (93) payload, protocol.md §4.2 and §5.3. */
import { describe, expect, test } from "vitest";
import { DecodeError, EncodeError, checkPortParams, decodePortParams, encodePortParams } from "../../../server/wire/index";
import { bytes, toHex } from "./helpers";

describe("port parameters", () => {
  test.each([
    // protocol.md §4.2 examples
    [6, 4, 5, "06045000"],
    [6, 6, 0x34, "0606d000"],
    [6, 8, 0x34, "06083400"],
    [6, 6, 0x29, "0606a400"], // Kea's unit test: field a400 -> PSID 0x29
    // protocol.md §5.3 table rows 1..8
    [6, 8, 0, "06080000"],
    [0, 6, 0, "00060000"],
    [0, 6, 1, "00060400"],
    [0, 4, 5, "00045000"],
    [4, 4, 3, "04043000"],
    // edges: no PSID, all 16 bits, largest offset
    [0, 0, 0, "00000000"],
    [0, 16, 0xfffe, "0010fffe"],
    [15, 1, 1, "0f018000"],
  ])("offset %i, PSID length %i, PSID %i <-> %s", (offset, psidLength, psid, wire) => {
    expect(toHex(encodePortParams({ offset, psidLength, psid }))).toBe(wire);
    expect(decodePortParams(Buffer.from(wire, "hex"))).toEqual({ offset, psidLength, psid });
  });

  test.each([
    ["offset 16", [16, 0, 0, 0]],
    ["PSID length 17", [0, 17, 0, 0]],
    ["a + k = 17", [6, 11, 0, 0]],
    ["padding bit set", [6, 4, 0x50, 0x01]],
    ["k = 0 with a PSID field", [6, 0, 0x00, 0x01]],
    ["k = 8, low byte set", [6, 8, 0x34, 0x80]],
  ])("rejects %s", (_name, wire) => {
    const e = (() => {
      try {
        decodePortParams(bytes(...wire), 10);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).code).toBe("bad-value");
    expect((e as DecodeError).offset).toBe(10);
  });

  test("rejects a payload that is not 4 bytes", () => {
    expect(() => decodePortParams(bytes(6, 4, 0x50))).toThrow(DecodeError);
    expect(() => decodePortParams(bytes(6, 4, 0x50, 0, 0))).toThrow(/length 5/);
  });

  test.each([
    { offset: 16, psidLength: 0, psid: 0 },
    { offset: 6, psidLength: 11, psid: 0 },
    { offset: 6, psidLength: 4, psid: 16 },
    { offset: 0, psidLength: 0, psid: 1 },
    { offset: 0, psidLength: 4, psid: -1 },
    { offset: 0.5, psidLength: 4, psid: 1 },
  ])("encoding refuses %j", (p) => {
    expect(() => checkPortParams(p)).toThrow(EncodeError);
    expect(() => encodePortParams(p)).toThrow(EncodeError);
  });
});
