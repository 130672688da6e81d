// The load generator's ceiling: answers every DHCPV4-QUERY at once with a canned response
// (an OFFER for a DISCOVER, an ACK otherwise), so the figure it allows is the generator's own
// limit. Plain JavaScript, run with `node` in its own process.
// Usage: node echo-server.mjs PORT OFFER_HEX ACK_HEX   (prints "listening" when bound)
import dgram from "node:dgram";

const [port, offerHex, ackHex] = process.argv.slice(2);
const offer = Buffer.from(offerHex, "hex");
const ack = Buffer.from(ackHex, "hex");
// xid of the DHCPv4 message: 4 (4o6 header) + 4 (option 87 header) + 4 (op..hops).
const XID_AT = 12;
const socket = dgram.createSocket({ type: "udp6", ipv6Only: true });
socket.on("message", (query, from) => {
  if (query.length < XID_AT + 4) return;
  const xid = query.readUInt32BE(XID_AT);
  const reply = Buffer.from(xid % 4 === 0 ? offer : ack);
  reply.writeUInt32BE(xid, XID_AT);
  socket.send(reply, from.port, from.address);
});
socket.bind(Number(port), "::1", () => console.log("listening"));
process.on("SIGTERM", () => socket.close(() => process.exit(0)));
