// Validation of (a, k, PSID) per protocol.md §4.2 and §9 row 6, and derived numbers.
import { describe, expect, it } from "vitest";
import {
  PsidLayoutError,
  assertPortParams,
  assertPsidLayout,
  isFullAddressLayout,
  offsetExcludedPorts,
  portParams,
  psidCount,
  psidLayout,
  psidLayoutProblem,
  rangeBits,
  rangeSize,
  sharingRatio,
  validatePortParams,
  validatePsidLayout,
} from "../../../server/psid";
import { allValidLayouts } from "./helpers";

describe("validatePsidLayout", () => {
  it("accepts exactly offset 0..15, PSID length 0..16, offset + length <= 16", () => {
    let accepted = 0;
    for (let offset = -1; offset <= 17; offset++) {
      for (let psidLength = -1; psidLength <= 17; psidLength++) {
        const expected = offset >= 0 && offset <= 15 && psidLength >= 0 && psidLength <= 16 && offset + psidLength <= 16;
        const result = validatePsidLayout(offset, psidLength);
        expect(result.ok, `a=${offset} k=${psidLength}`).toBe(expected);
        if (result.ok) accepted++;
      }
    }
    expect(accepted).toBe(allValidLayouts().length);
    expect(accepted).toBe(152);
  });

  it.each([
    [10, 8, "psidLength", "PSID offset 10 plus PSID length 8 exceeds 16 bits"],
    [15, 2, "psidLength", "PSID offset 15 plus PSID length 2 exceeds 16 bits"],
    [16, 0, "offset", "PSID offset 16 is outside 0..15"],
    [-1, 4, "offset", "PSID offset -1 is outside 0..15"],
    [0, 17, "psidLength", "PSID length 17 is outside 0..16"],
    [6, -2, "psidLength", "PSID length -2 is outside 0..16"],
    [6.5, 4, "offset", "PSID offset must be a whole number, got 6.5"],
    [6, Number.NaN, "psidLength", "PSID length must be a whole number, got NaN"],
  ] as const)("a=%s k=%s is refused on %s: %s", (offset, psidLength, field, message) => {
    const result = validatePsidLayout(offset, psidLength);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(PsidLayoutError);
    expect(result.error.field).toBe(field);
    expect(result.error.message).toBe(message);
    expect(psidLayoutProblem(offset, psidLength)?.message).toBe(message);
    expect(() => psidLayout(offset, psidLength)).toThrow(message);
    expect(() => assertPsidLayout({ offset, psidLength })).toThrow(PsidLayoutError);
  });

  it("refuses values that are not numbers, naming the type", () => {
    const result = validatePsidLayout("6" as unknown as number, 4);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('PSID offset must be a whole number, got string "6"');
  });

  it("returns a plain copy of a valid layout", () => {
    expect(validatePsidLayout(6, 4)).toEqual({ ok: true, value: { offset: 6, psidLength: 4 } });
    expect(psidLayout(0, 16)).toEqual({ offset: 0, psidLength: 16 });
  });
});

describe("validatePortParams", () => {
  it.each([
    [{ offset: 6, psidLength: 8, psid: 256 }, "PSID 256 does not fit in a PSID length of 8 bits (0..255)"],
    [{ offset: 6, psidLength: 1, psid: 2 }, "PSID 2 does not fit in a PSID length of 1 bit (0..1)"],
    [{ offset: 6, psidLength: 0, psid: 1 }, "PSID 1 does not fit in a PSID length of 0 bits (0..0)"],
    [{ offset: 6, psidLength: 4, psid: -1 }, "PSID -1 does not fit in a PSID length of 4 bits (0..15)"],
    [{ offset: 6, psidLength: 4, psid: 1.5 }, "PSID must be a whole number, got 1.5"],
    [{ offset: 12, psidLength: 8, psid: 0 }, "PSID offset 12 plus PSID length 8 exceeds 16 bits"],
  ])("refuses %o: %s", (params, message) => {
    const result = validatePortParams(params);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(message);
    expect(() => portParams(params.offset, params.psidLength, params.psid)).toThrow(message);
    expect(() => assertPortParams(params)).toThrow(PsidLayoutError);
  });

  it("names the PSID field when only the PSID is wrong", () => {
    const result = validatePortParams({ offset: 6, psidLength: 4, psid: 16 });
    expect(!result.ok && result.error.field).toBe("psid");
  });

  it("accepts the edges", () => {
    expect(validatePortParams({ offset: 0, psidLength: 16, psid: 65535 }).ok).toBe(true);
    expect(validatePortParams({ offset: 15, psidLength: 1, psid: 1 }).ok).toBe(true);
    expect(validatePortParams({ offset: 15, psidLength: 0, psid: 0 }).ok).toBe(true);
    expect(portParams(6, 4, 5)).toEqual({ offset: 6, psidLength: 4, psid: 5 });
  });
});

describe("derived numbers (RFC 7597 §5.1)", () => {
  it.each([
    [6, 8, 2, 4, 256],
    [6, 4, 6, 64, 16],
    [0, 6, 10, 1024, 64],
    [4, 4, 8, 256, 16],
    [0, 16, 0, 1, 65536],
    [6, 0, 10, 1024, 1],
  ])("a=%i k=%i: m=%i, range size %i, %i PSIDs", (offset, psidLength, m, size, psids) => {
    const layout = { offset, psidLength };
    expect(rangeBits(layout)).toBe(m);
    expect(rangeSize(layout)).toBe(size);
    expect(psidCount(layout)).toBe(psids);
    expect(sharingRatio(layout)).toBe(psids);
  });

  it("offsetExcludedPorts is the A = 0 block 0 .. 2^(16-a) - 1", () => {
    expect(offsetExcludedPorts({ offset: 6, psidLength: 4 })).toEqual({ first: 0, last: 1023 });
    expect(offsetExcludedPorts({ offset: 4, psidLength: 4 })).toEqual({ first: 0, last: 4095 });
    expect(offsetExcludedPorts({ offset: 15, psidLength: 1 })).toEqual({ first: 0, last: 1 });
    expect(offsetExcludedPorts({ offset: 0, psidLength: 6 })).toBeNull();
    // protocol.md §9 row 12: k = 0 is treated as a full address, so no block is cut off.
    expect(offsetExcludedPorts({ offset: 6, psidLength: 0 })).toBeNull();
  });

  it("only k = 0 is a full-address layout", () => {
    expect(isFullAddressLayout({ offset: 6, psidLength: 0 })).toBe(true);
    expect(isFullAddressLayout({ offset: 0, psidLength: 0 })).toBe(true);
    expect(isFullAddressLayout({ offset: 0, psidLength: 1 })).toBe(false);
  });
});
