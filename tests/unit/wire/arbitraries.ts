/**
 * fast-check arbitraries for valid wire messages: "valid" means exactly the values for
 * which decode(encode(x)) must deep-equal x (see server/wire/index.ts).
 */
import fc from "fast-check";
import {
  encodePortParams,
  type Dhcp4o6Message,
  type Dhcpv4Message,
  type Dhcpv4Option,
  type Dhcpv6Message,
  type Dhcpv6Option,
  type PortParams,
  type RelayMessage,
} from "../../../server/wire/index";

export const uint32 = fc.integer({ min: 0, max: 0xffffffff });
export const ipv6Address = fc.uint8Array({ minLength: 16, maxLength: 16 });

export const portParams: fc.Arbitrary<PortParams> = fc
  .integer({ min: 0, max: 15 })
  .chain((offset) =>
    fc.integer({ min: 0, max: 16 - offset }).chain((psidLength) =>
      fc.integer({ min: 0, max: 2 ** psidLength - 1 }).map((psid) => ({ offset, psidLength, psid })),
    ),
  );

const bytesOf = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const addressList = fc.integer({ min: 1, max: 6 }).chain((n) => bytesOf(4 * n, 4 * n));

/** Valid values for the DHCPv4 options the codec validates (dhcpv4-options.ts). */
const KNOWN_V4: Record<number, fc.Arbitrary<Uint8Array>> = {
  1: bytesOf(4, 4),
  3: addressList,
  6: addressList,
  50: bytesOf(4, 4),
  51: bytesOf(4, 4),
  53: bytesOf(1, 1),
  54: bytesOf(4, 4),
  55: bytesOf(1, 30),
  56: bytesOf(1, 80),
  57: bytesOf(2, 2),
  58: bytesOf(4, 4),
  59: bytesOf(4, 4),
  61: bytesOf(2, 140),
  109: bytesOf(16, 16),
  159: portParams.map(encodePortParams),
};

/** Any option code a message may carry (0, 52 and 255 belong to the codec). */
const v4Code = fc.integer({ min: 1, max: 254 }).filter((c) => c !== 52);

function v4OptionData(code: number): fc.Arbitrary<Uint8Array> {
  // Unknown options: any length, including 0 and values long enough to need RFC 3396 splits.
  return KNOWN_V4[code] ?? fc.oneof({ weight: 4, arbitrary: bytesOf(0, 40) }, { weight: 1, arbitrary: bytesOf(200, 700) });
}

export const dhcpv4Options: fc.Arbitrary<Dhcpv4Option[]> = fc
  .uniqueArray(fc.oneof(v4Code, fc.constantFrom(...Object.keys(KNOWN_V4).map(Number))), { maxLength: 14 })
  .chain((codes) => fc.tuple(...codes.map((code) => v4OptionData(code).map((data) => ({ code, data })))))
  .map((options) => [...options]);

/** A zero field (the usual case, and the only one option overload may use) or random bytes. */
const field = (size: number) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: bytesOf(size, size) }).map((b) => b ?? new Uint8Array(size));

export const dhcpv4Message: fc.Arbitrary<Dhcpv4Message> = fc.record({
  op: fc.integer({ min: 0, max: 255 }),
  htype: fc.integer({ min: 0, max: 255 }),
  hlen: fc.integer({ min: 0, max: 16 }),
  hops: fc.integer({ min: 0, max: 255 }),
  xid: uint32,
  secs: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  ciaddr: uint32,
  yiaddr: uint32,
  siaddr: uint32,
  giaddr: uint32,
  chaddr: bytesOf(16, 16),
  sname: field(64),
  file: field(128),
  options: dhcpv4Options,
});

/** Codes whose values the DHCPv6 decoder validates; other codes carry any bytes. */
const VALIDATED_V6 = new Set([6, 9, 88, 90, 92, 93, 96, 135, 137]);

const prefix = fc.integer({ min: 0, max: 128 }).chain((prefixLength) =>
  bytesOf((prefixLength + 7) >> 3, (prefixLength + 7) >> 3).map((head) => {
    const p = new Uint8Array(16);
    p.set(head);
    return { prefixLength, bytes: head, prefix: p };
  }),
);

function tlv(options: { code: number; data: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(options.reduce((n, o) => n + 4 + o.data.length, 0));
  let at = 0;
  for (const o of options) {
    out[at] = o.code >> 8;
    out[at + 1] = o.code & 0xff;
    out[at + 2] = o.data.length >> 8;
    out[at + 3] = o.data.length & 0xff;
    out.set(o.data, at + 4);
    at += 4 + o.data.length;
  }
  return out;
}

const v6PortParams = portParams.map((p) => ({ code: 93, data: encodePortParams(p) }));
const v6Br = ipv6Address.map((data) => ({ code: 90, data }));
const v6V4V6Bind = fc
  .tuple(bytesOf(4, 4), prefix, fc.array(v6PortParams, { maxLength: 1 }))
  .map(([v4, p, subs]) => ({ code: 92, data: Uint8Array.from([...v4, p.prefixLength, ...p.bytes, ...tlv(subs)]) }));

export const dhcpv6Option: fc.Arbitrary<Dhcpv6Option> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ code: fc.integer({ min: 0, max: 0xffff }).filter((c) => !VALIDATED_V6.has(c)), data: bytesOf(0, 60) }) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }).map((codes) => ({ code: 6, data: Uint8Array.from(codes.flatMap((c) => [c >> 8, c & 0xff])) })) },
  { weight: 1, arbitrary: fc.array(ipv6Address, { maxLength: 3 }).map((as) => ({ code: 88, data: Uint8Array.from(as.flatMap((a) => [...a])) })) },
  { weight: 1, arbitrary: v6Br },
  { weight: 1, arbitrary: v6PortParams },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((p) => ({ code: 135, data: Uint8Array.of(p >> 8, p & 0xff) })) },
  { weight: 1, arbitrary: prefix.map((p) => ({ code: 137, data: Uint8Array.from([p.prefixLength, ...p.bytes]) })) },
  { weight: 1, arbitrary: v6V4V6Bind },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(v6Br, { minLength: 1, maxLength: 2 }), fc.array(v6V4V6Bind, { maxLength: 1 }))
      .map(([brs, binds]) => ({ code: 96, data: tlv([...binds, ...brs]) })),
  },
);

const dhcpv6Options = fc.array(dhcpv6Option, { maxLength: 6 });

export const dhcp4o6Message: fc.Arbitrary<Dhcp4o6Message> = fc.record({
  kind: fc.constant("4o6" as const),
  msgType: fc.constantFrom(20 as const, 21 as const),
  unicast: fc.boolean(),
  mbzFlags: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x7fffff })),
  options: dhcpv6Options,
});

export const clientServerMessage: fc.Arbitrary<Dhcpv6Message> = fc.record({
  kind: fc.constant("client-server" as const),
  msgType: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 12 && t !== 13 && t !== 20 && t !== 21),
  transactionId: fc.integer({ min: 0, max: 0xffffff }),
  options: dhcpv6Options,
});

const relayOptions = fc.array(
  fc.oneof(
    dhcpv6Option.filter((o) => o.code !== 9),
    bytesOf(1, 20).map((data) => ({ code: 18, data })),
  ),
  { maxLength: 4 },
);

/** Wraps `inner` in `depth` relay layers of random content. */
export function relayed(inner: fc.Arbitrary<Dhcpv6Message>, maxDepth: number, msgTypes: readonly (12 | 13)[] = [12, 13]): fc.Arbitrary<Dhcpv6Message> {
  const layer = fc.record({
    msgType: fc.constantFrom(...msgTypes),
    hopCount: fc.integer({ min: 0, max: 255 }),
    linkAddress: ipv6Address,
    peerAddress: ipv6Address,
    options: relayOptions,
    at: fc.nat(),
  });
  return fc.tuple(inner, fc.array(layer, { maxLength: maxDepth })).map(([msg, layers]) => {
    let m: Dhcpv6Message = msg;
    for (const l of layers) {
      const relay: RelayMessage = {
        kind: "relay",
        msgType: l.msgType,
        hopCount: l.hopCount,
        linkAddress: l.linkAddress,
        peerAddress: l.peerAddress,
        options: l.options,
        relayMessageIndex: l.at % (l.options.length + 1),
        message: m,
      };
      m = relay;
    }
    return m;
  });
}

export const dhcpv6Message: fc.Arbitrary<Dhcpv6Message> = relayed(fc.oneof(dhcp4o6Message, clientServerMessage), 5);
