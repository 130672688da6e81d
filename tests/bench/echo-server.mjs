// The load generator's ceiling: answers every DHCPV4-QUERY at once with a canned response
// (an OFFER for a DISCOVER, an ACK otherwise), so the figure it allows is the generator's own
// limit. Plain JavaScript, run with `node` in its own process. Relayed queries get the same
// canned (unrelayed) answer, at the port they came from.
// Usage: node echo-server.mjs PORT OFFER_HEX ACK_HEX   (prints "listening" when bound)
import dgram from "node:dgram";

const [port, offerHex, ackHex] = process.argv.slice(2);
const offer = Buffer.from(offerHex, "hex");
const ack = Buffer.from(ackHex, "hex");
// xid of the DHCPv4 message: 4 (4o6 header) + 4 (option 87 header) + 4 (op..hops).
const XID_AT = 12;
const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
/** Where the DHCPV4-QUERY starts: 0, or inside the option 9 of (nested) RELAY-FORW layers. */
function innermost(query) {
  let at = 0;
  while (query[at] === 12) {
    let option = at + 34; // msg-type, hop-count, link-address, peer-address
    for (;;) {
      if (option + 4 > query.length) return -1;
      const code = query.readUInt16BE(option);
      const length = query.readUInt16BE(option + 2);
      if (code === 9) break;
      option += 4 + length;
    }
    at = option + 4;
  }
  return at;
}

socket.on("message", (query, from) => {
  const at = innermost(query);
  if (at < 0 || query.length < at + XID_AT + 4) return;
  const xid = query.readUInt32BE(at + XID_AT);
  const reply = Buffer.from(xid % 4 === 0 ? offer : ack);
  reply.writeUInt32BE(xid, XID_AT);
  socket.send(reply, from.port, from.address);
});
socket.bind(Number(port), "::1", () => console.log("listening"));
process.on("SIGTERM", () => socket.close(() => process.exit(0)));
