// The echo servers' canned answers (echo-server.mjs, native/echo4o6.c): an OFFER and an ACK of one
// shared slot, as hex for their command lines. The generators' ceiling is measured against them.
import {
  DhcpMessageType,
  createBootReply,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  leaseTimeOption,
  messageTypeOption,
  portParamsOption,
  serverIdentifierOption,
  type Dhcpv4Message,
} from "../../server/wire";

/** [OFFER hex, ACK hex]: DHCPV4-RESPONSEs the echo servers copy each query's xid into. */
export function cannedResponses(): [string, string] {
  const request: Dhcpv4Message = {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr: new Uint8Array(16), sname: new Uint8Array(64), file: new Uint8Array(128), options: [],
  };
  const make = (type: number) =>
    Buffer.from(
      encodeDhcpv6Message({
        kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0,
        options: [dhcpv4MsgOption(encodeDhcpv4Message(createBootReply(request, {
          yiaddr: 0x0a000001,
          options: [messageTypeOption(type), serverIdentifierOption(0xc0000201), leaseTimeOption(3600), portParamsOption({ offset: 6, psidLength: 6, psid: 1 })],
        })))],
      }),
    ).toString("hex");
  return [make(DhcpMessageType.OFFER), make(DhcpMessageType.ACK)];
}
