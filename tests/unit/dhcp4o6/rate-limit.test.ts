import { describe, expect, it } from "vitest";
import { RateLimiter } from "@/server/dhcp4o6/rate-limit";

describe("RateLimiter", () => {
  it("lets a burst through, then the steady rate, per client", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 4, () => now);
    const burst = Array.from({ length: 6 }, () => limiter.allow("2001:db8::1"));
    expect(burst).toEqual([true, true, true, true, false, false]);
    // Another client is not affected.
    expect(limiter.allow("2001:db8::2")).toBe(true);
    now += 500; // half a second refills one token at 2/s
    expect(limiter.allow("2001:db8::1")).toBe(true);
    expect(limiter.allow("2001:db8::1")).toBe(false);
    now += 60_000;
    expect(limiter.allow("2001:db8::1")).toBe(true);
  });
});
