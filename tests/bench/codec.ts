/**
 * Codec micro-benchmark: decode / encode rates of a DHCPV4-QUERY(DISCOVER) and a
 * DHCPV4-RESPONSE(OFFER with option 159), and the cost of one server-side pair
 * (decode the query, build and encode the response). Imports nothing but server/wire.
 */
import {
  createBootReply,
  decodeDhcp4o6Request,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  dhcpv4MsgOption,
  domainNameServersOption,
  encodeDhcp4o6Response,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Option,
  leaseTimeOption,
  messageTypeOption,
  parameterRequestListOption,
  portParamsOption,
  rebindingTimeOption,
  renewalTimeOption,
  serverIdentifierOption,
  subnetMaskOption,
  clientIdentifierOption,
  clientIdentifier,
  type Dhcp4o6Message,
  type Dhcpv4Message,
} from "../../server/wire/index";

const CLIENT_ID = Uint8Array.of(0xff, 0, 0, 0, 1, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1);

function discover(): Dhcpv4Message {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, 0, 0, 0, 1]);
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x12345678, secs: 0, flags: 0,
    ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr, sname: new Uint8Array(64), file: new Uint8Array(128),
    options: [messageTypeOption(1), clientIdentifierOption(CLIENT_ID), parameterRequestListOption([1, 3, 6, 159])],
  };
}

function offerFor(request: Dhcpv4Message): Dhcpv4Message {
  return createBootReply(request, {
    yiaddr: 0xc000020a,
    options: [
      messageTypeOption(2),
      serverIdentifierOption(0xc0000201),
      leaseTimeOption(3600),
      renewalTimeOption(1800),
      rebindingTimeOption(3150),
      subnetMaskOption(0xffffffff),
      domainNameServersOption([0xc0000235]),
      clientIdentifierOption(clientIdentifier(request)!),
      portParamsOption({ offset: 6, psidLength: 4, psid: 5 }),
    ],
  });
}

let sink = 0;

function rate(label: string, iterations: number, fn: () => number): { label: string; perSecond: number; micros: number } {
  for (let i = 0; i < 20_000; i++) sink += fn(); // warm-up: let the JIT settle
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) sink += fn();
  const ms = performance.now() - t0;
  return { label, perSecond: Math.round((iterations / ms) * 1000), micros: (ms * 1000) / iterations };
}

export async function runCodecBench(): Promise<void> {
  const queryMsg: Dhcp4o6Message = {
    kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0,
    options: [dhcpv4MsgOption(encodeDhcpv4Message(discover()))],
  };
  const queryBytes = encodeDhcpv6Message(queryMsg);
  const request = decodeDhcp4o6Request(queryBytes);
  const offer = offerFor(request.dhcpv4);
  const responseBytes = encodeDhcp4o6Response({ dhcpv4: offer });
  const N = 300_000;

  const rows = [
    rate("decode DHCPV4-QUERY(DISCOVER) -> request", N, () => decodeDhcp4o6Request(queryBytes).dhcpv4.xid & 1),
    rate("decode DHCPV4-RESPONSE(OFFER+159), v6 + v4", N, () => {
      const m = decodeDhcpv6Message(responseBytes) as Dhcp4o6Message;
      return decodeDhcpv4Message(getDhcpv6Option(m, 87)!).options.length;
    }),
    rate("encode DHCPV4-RESPONSE(OFFER+159)", N, () => encodeDhcp4o6Response({ dhcpv4: offer }).length),
    rate("encode DHCPV4-QUERY(DISCOVER), v4 then v6", N, () =>
      encodeDhcpv6Message({ ...queryMsg, options: [dhcpv4MsgOption(encodeDhcpv4Message(request.dhcpv4))] }).length,
    ),
    rate("pair: decode query + build + encode response", N, () => {
      const req = decodeDhcp4o6Request(queryBytes);
      return encodeDhcp4o6Response({ dhcpv4: offerFor(req.dhcpv4), relays: req.relays }).length;
    }),
    rate("pair: decode query + encode prebuilt response", N, () => {
      const req = decodeDhcp4o6Request(queryBytes);
      return encodeDhcp4o6Response({ dhcpv4: offer, relays: req.relays }).length + req.relays.length;
    }),
  ];

  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`\nserver/wire codec (${N.toLocaleString("en-US")} iterations each, Node ${process.version})`);
  console.log(`${"operation".padEnd(width)}  ${"msgs/s".padStart(12)}  ${"µs/op".padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.label.padEnd(width)}  ${r.perSecond.toLocaleString("en-US").padStart(12)}  ${r.micros.toFixed(3).padStart(8)}`);
  }
  if (sink === -1) console.log("unreachable");
}
