import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SlotIndex } from "@/server/alloc/slot-index";

describe("SlotIndex", () => {
  it("hands out every slot once, then reports full", () => {
    const index = new SlotIndex(1000);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const slot = index.findFree(0);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(1000);
      expect(index.take(slot)).toBe(true);
      seen.add(slot);
    }
    expect(seen.size).toBe(1000);
    expect(index.findFree(0)).toBe(-1);
    expect(index.freeCount).toBe(0);
  });

  it("wraps around from a start point and skips full regions", () => {
    const index = new SlotIndex(5000);
    for (let s = 0; s < 5000; s++) if (s !== 17) index.take(s);
    expect(index.findFree(4000)).toBe(17);
    expect(index.findFree(17)).toBe(17);
    index.free(4999);
    expect(index.findFree(4000)).toBe(4999);
    expect(index.take(4999)).toBe(true);
    expect(index.take(4999)).toBe(false);
  });

  it("agrees with a plain boolean array under random take/free/search", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.tuple(fc.constantFrom("take", "free", "find"), fc.nat()), { maxLength: 400 }),
        (size, ops) => {
          const index = new SlotIndex(size);
          const model = new Array<boolean>(size).fill(false);
          for (const [op, n] of ops) {
            const slot = n % size;
            if (op === "take") expect(index.take(slot)).toBe(!model[slot] && (model[slot] = true));
            else if (op === "free") expect(index.free(slot)).toBe(model[slot] === true && !(model[slot] = false));
            else {
              const expected = [...model.slice(slot), ...model.slice(0, slot)].findIndex((t) => !t);
              expect(index.findFree(slot)).toBe(expected < 0 ? -1 : (expected + slot) % size);
            }
          }
          expect(index.takenCount).toBe(model.filter(Boolean).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
