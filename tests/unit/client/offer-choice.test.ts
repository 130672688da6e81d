// RFC 7618 §5 offer choice: full before shared unless told otherwise, larger port sets first,
// then arrival order; unusable offers (no 54, unasked 159, no 90 when asked) are never taken.
import { describe, expect, it } from "vitest";
import { buildDiscover } from "@/server/client/messages";
import { chooseOffer, isUnbeatable, offeredPorts, offerOf, offerProblem, type Offer, type OfferPolicy } from "@/server/client/offer-choice";
import { br, IDENTITY, ip, offer, PSID5, SERVER } from "./helpers";

const discover = buildDiscover(IDENTITY, { shared: true }, { xid: 7, secs: 0 });
let order = 0;
const make = (init: Parameters<typeof offer>[1] = {}): Offer => offerOf(offer(discover, init), SERVER, order++);
const FULL_FIRST: OfferPolicy = { preferShared: false, askedShared: true, requireBr: false };
const SHARED_FIRST: OfferPolicy = { preferShared: true, askedShared: true, requireBr: false };

describe("offer choice", () => {
  const k4 = make({ yiaddr: ip("192.0.2.1"), portParams: PSID5 });
  const full = make({ yiaddr: ip("198.51.100.1") });
  const k2 = make({ yiaddr: ip("192.0.2.2"), portParams: { offset: 6, psidLength: 2, psid: 3 } });
  const full2 = make({ yiaddr: ip("198.51.100.2") });

  it("prefers a full address over any shared one by default", () => {
    expect(chooseOffer([k4, k2, full, full2], FULL_FIRST)).toBe(full);
    expect(isUnbeatable(full, FULL_FIRST)).toBe(true);
    expect(isUnbeatable(k2, FULL_FIRST)).toBe(false);
  });

  it("with preferShared takes the shared offer with the most ports", () => {
    expect(chooseOffer([full, k4, k2], SHARED_FIRST)).toBe(k2);
    expect(isUnbeatable(k2, SHARED_FIRST)).toBe(false);
  });

  it("counts ports with server/psid (RFC 7597 §5.1)", () => {
    expect(offeredPorts(k4)).toBe(4032);
    expect(offeredPorts(k2)).toBe(16128);
    expect(offeredPorts(full)).toBe(65536);
  });

  it("treats 159 with PSID length 0 as a full address (RFC 7618 §9)", () => {
    const zero = make({ portParams: { offset: 0, psidLength: 0, psid: 0 } });
    expect(zero.portParams).toBeUndefined();
  });

  it("refuses offers it cannot use", () => {
    const noSid = make();
    noSid.serverId = 0;
    expect(offerProblem(noSid, FULL_FIRST)).toContain("server identifier");
    expect(offerProblem(k4, { ...FULL_FIRST, askedShared: false })).toContain("RFC 7618 §8.1");
    expect(offerProblem(full, { ...FULL_FIRST, requireBr: true })).toContain("RFC 8539 §7.1");
    expect(offerProblem(make({ dhcpv6: [br()] }), { ...FULL_FIRST, requireBr: true })).toBeNull();
    expect(chooseOffer([noSid], FULL_FIRST)).toBeUndefined();
  });
});
