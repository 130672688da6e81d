// DHCPV4-QUERY framing (RFC 7341 §6), RELAY-FORW wrapping as a relay would (RFC 8415 §19.1,
// RFC 8357 option 135), and taking DHCPV4-RESPONSEs apart — checked with the server's decoder.
import { describe, expect, it } from "vitest";
import { buildDiscover } from "@/server/client/messages";
import { frameQuery, isMulticast, ResponseError, unframeResponse, type QueryPath } from "@/server/client/transport";
import {
  createBootReply,
  decodeDhcp4o6Request,
  dhcpv4MsgOption,
  encodeDhcp4o6Response,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  formatIpv6,
  interfaceId,
  messageTypeOption,
  relayPort,
  requestedOptions,
} from "@/server/wire";
import { br, IDENTITY, v6 } from "./helpers";

const discover = buildDiscover(IDENTITY, { shared: true }, { xid: 0x1234, secs: 0 });
const direct: QueryPath = { relayHops: 0, linkAddress: new Uint8Array(16), peerAddress: v6("2001:db8:1::10"), localPort: 546 };

describe("frameQuery", () => {
  it("a direct DHCPV4-QUERY with the U flag and one option 87; the ORO when asked, never 88", () => {
    const q = decodeDhcp4o6Request(frameQuery(discover, true, [90, 137, 88], direct));
    expect(q.relays).toEqual([]);
    expect(q.query).toMatchObject({ msgType: 20, unicast: true, mbzFlags: 0 });
    expect(q.dhcpv4.xid).toBe(0x1234);
    expect(requestedOptions(q.query)).toEqual([90, 137]);
    const plain = decodeDhcp4o6Request(frameQuery(discover, false, [], direct));
    expect(plain.query.unicast).toBe(false);
    expect(plain.query.options.map((o) => o.code)).toEqual([87]);
  });

  it("N relay layers: hop-count 0 next to the client, link-address then ::, peer-address the client, 18 innermost, 135 when not on 547", () => {
    const path: QueryPath = { relayHops: 3, linkAddress: v6("2001:db8:1::1"), peerAddress: v6("2001:db8:1::10"), interfaceId: new TextEncoder().encode("cpe-7"), localPort: 40000 };
    const q = decodeDhcp4o6Request(frameQuery(discover, false, [], path));
    expect(q.relays.map((r) => r.hopCount)).toEqual([0, 1, 2]);
    expect(q.relays.map((r) => formatIpv6(r.linkAddress))).toEqual(["2001:db8:1::1", "::", "::"]);
    expect(q.relays.map((r) => formatIpv6(r.peerAddress))).toEqual(["2001:db8:1::10", "2001:db8:1::10", "2001:db8:1::10"]);
    expect(new TextDecoder().decode(interfaceId(q.relays[0]!))).toBe("cpe-7");
    expect(interfaceId(q.relays[1]!)).toBeUndefined();
    expect(q.relays.map((r) => relayPort(r))).toEqual([0, 40000, 40000]);
    const on547 = decodeDhcp4o6Request(frameQuery(discover, false, [], { ...path, localPort: 547 }));
    expect(on547.relays.map((r) => relayPort(r))).toEqual([undefined, undefined, undefined]);
  });
});

describe("unframeResponse", () => {
  const offer = createBootReply(discover, { yiaddr: 0xc000020a, options: [messageTypeOption(2)] });

  it("takes the DHCPv4 reply and the DHCPv6 options out of a DHCPV4-RESPONSE, relayed or not; flags are ignored", () => {
    const request = decodeDhcp4o6Request(frameQuery(discover, false, [90], { ...direct, relayHops: 2, localPort: 40000 }));
    const r = unframeResponse(encodeDhcp4o6Response({ dhcpv4: offer, relays: request.relays, options: [br()] }));
    expect(r.relayLayers).toBe(2);
    expect(r.dhcpv4.yiaddr).toBe(0xc000020a);
    expect(r.options.map((o) => o.code)).toEqual([90]);
    const flagged = encodeDhcpv6Message({ kind: "4o6", msgType: 21, unicast: true, mbzFlags: 5, options: [dhcpv4MsgOption(encodeDhcpv4Message(offer))] });
    expect(unframeResponse(flagged).dhcpv4.xid).toBe(0x1234);
  });

  it("refuses what is not a usable DHCPV4-RESPONSE", () => {
    const v4 = dhcpv4MsgOption(encodeDhcpv4Message(offer));
    expect(() => unframeResponse(Uint8Array.of(21, 0, 0))).toThrow(ResponseError);
    expect(() => unframeResponse(encodeDhcpv6Message({ kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [v4] }))).toThrow(/not DHCPV4-RESPONSE/);
    expect(() => unframeResponse(encodeDhcpv6Message({ kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0, options: [v4, v4] }))).toThrow(/exactly 1/);
    expect(() => unframeResponse(encodeDhcpv6Message({ kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(encodeDhcpv4Message(discover))] }))).toThrow(/BOOTREPLY/);
    expect(() => unframeResponse(frameQuery(discover, false, [], { ...direct, relayHops: 1 }))).toThrow(/RELAY-FORW/);
  });
});

it("recognises multicast destinations", () => {
  expect(isMulticast("ff02::1:2%eth0")).toBe(true);
  expect(isMulticast("2001:db8::1")).toBe(false);
});
