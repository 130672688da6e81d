import { describe, expect, it } from "vitest";
import { subscriberPrefix } from "@/server/alloc/allocator";

describe("subscriberPrefix", () => {
  it("masks the address to the subscriber's delegated prefix", () => {
    expect(subscriberPrefix("2001:db8:1:2345:abcd::1", 56)).toBe("2001:db8:1:2300::/56");
    expect(subscriberPrefix("2001:db8:1:2345:abcd::1", 48)).toBe("2001:db8:1::/48");
  });
  it("says nothing for link-local, missing or invalid addresses", () => {
    expect(subscriberPrefix("fe80::1%eth0", 56)).toBeNull();
    expect(subscriberPrefix(null, 56)).toBeNull();
    expect(subscriberPrefix("not an address", 56)).toBeNull();
  });
});
