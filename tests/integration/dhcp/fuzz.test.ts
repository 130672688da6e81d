// Bad input against the running server (architecture.md "Errors and bad input"): over 10,000
// malformed datagrams — random bytes, truncations, bit flips and bad lengths of valid queries,
// relay chains nested too deep — then a valid DORA still works, no datagram made the handler
// throw, and no lease row that existed before changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsByLabel, metrics } from "@/server/metrics/registry";
import {
  DhcpMessageType,
  clientIdentifierOption,
  encodeDhcpv6Message,
  interfaceIdOption,
  optionRequestOption,
  parseIpv6,
  relayPortOption,
  type Dhcpv6Message,
} from "@/server/wire";
import { testBackends } from "../support/databases";
import { dhcpv4Query, dhcpv4Request, ip, macOf, relayed } from "../../support/test-client";
import { Harness, Listener, Multiplexer, TEST_SERVER_ID, grantOf, muxAsk, muxDora, sleep, type Ask, type Grant } from "./harness";
import { prng } from "../../support/prng";

const backends = await testBackends();

const SEED = 0x4f36;
const DATAGRAMS = 11_000;


const POOLS = [
  // Big enough that the DISCOVERs among the mutants cannot exhaust it: 256 × 64 port sets.
  { name: "shared", kind: "shared", range: "192.0.2.0/24", psidOffset: 6, psidLength: 6, leaseTime: 3600 },
  { name: "dedicated", kind: "dedicated", range: "198.51.100.0/24", leaseTime: 3600 },
];

/** RELAY-FORW around raw bytes, with a chosen option-9 length (the codec would not build a wrong one). */
function relayBytes(inner: Uint8Array, hopCount: number, declaredLength = inner.length): Uint8Array {
  const out = Buffer.alloc(38 + inner.length);
  out[0] = 12;
  out[1] = hopCount & 255;
  out.set(parseIpv6("2001:db8:77::1")!, 2);
  out.set(parseIpv6("fe80::77")!, 18);
  out.writeUInt16BE(9, 34);
  out.writeUInt16BE(declaredLength & 0xffff, 36);
  out.set(inner, 38);
  return out;
}

describe.each(backends)("malformed datagrams against the running server on %s", (backend) => {
  let h: Harness;
  let mux: Multiplexer;
  let sender: Listener;

  beforeAll(async () => {
    mux = await Multiplexer.open();
    sender = await Listener.open();
    h = await Harness.start(backend, POOLS, { clientPort: mux.port, relayPort: mux.port });
  });
  afterAll(async () => {
    await h?.close();
    mux?.close();
    sender?.close();
  });

  it(`survives ${DATAGRAMS} malformed datagrams: no handler error, existing leases untouched, DORA still works`, async () => {
    // Leases that exist before: shared and dedicated, direct and relayed, with a softwire source.
    const existing: { init: Ask; grant: Grant }[] = [];
    for (let i = 0; i < 8; i++) {
      const init = { mac: macOf(40_000 + i), shared: i % 2 === 0, softwireSource: i % 4 === 0 ? `2001:db8:40::${i + 1}` : undefined };
      const r = await muxDora(mux, h.server.port, init);
      expect(r?.ack?.type).toBe(DhcpMessageType.ACK);
      existing.push({ init, grant: grantOf(r!.ack!) });
    }
    const before = await h.db.lease.findMany({ orderBy: { id: "asc" } });
    expect(before).toHaveLength(8);

    // Valid queries to mutate, from identities far from the existing ones: option 61 of type 0
    // with random bytes (bit flips of it can never give an RFC 4361 identifier of type 255).
    const random = prng(SEED + (backend === "sqlite" ? 0 : 1));
    const byte = () => Math.floor(random() * 256);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const fuzzClient = () => {
      const mac = Uint8Array.from({ length: 6 }, byte);
      const clientId = Uint8Array.of(0, ...Array.from({ length: 15 }, byte));
      return { mac, clientId };
    };
    const base = (): Dhcpv6Message => {
      const { mac, clientId } = fuzzClient();
      const type = pick([1, 1, 1, 3, 3, 4, 7, 8]);
      const address = pick([ip("192.0.2.7"), ip("198.51.100.9"), existing[0]!.grant.address, ip("203.0.113.1")]);
      const v4 = dhcpv4Request({
        type, mac, clientId, xid: Math.floor(random() * 2 ** 32), shared: random() < 0.5,
        requestedIp: type === 3 || type === 4 ? address : undefined, serverId: type === 3 && random() < 0.5 ? TEST_SERVER_ID : undefined,
        ciaddr: type === 7 || type === 8 || (type === 3 && random() < 0.3) ? address : 0,
        portParams: random() < 0.4 ? { offset: 6, psidLength: 6, psid: byte() & 63 } : undefined,
        softwireSource: random() < 0.3 ? "2001:db8:40::1" : undefined,
        extraOptions: random() < 0.2 ? [clientIdentifierOption(Uint8Array.of(0, 1, 2))] : [],
      });
      const query = dhcpv4Query(v4, random() < 0.5, random() < 0.3 ? [optionRequestOption([90, 137])] : []);
      if (random() < 0.5) return query;
      return relayed(query, [
        { linkAddress: "2001:db8:1::1", peerAddress: "fe80::1", interfaceId: random() < 0.5 ? "port-1" : undefined, relayPort: random() < 0.3 ? sender.port : undefined },
        ...(random() < 0.3 ? [{ linkAddress: "::", peerAddress: "2001:db8:1::1" }] : []),
      ]);
    };

    const mutants: (() => Uint8Array)[] = [
      // Random bytes, sometimes behind a plausible msg-type.
      () => {
        const b = Uint8Array.from({ length: Math.floor(random() * 600) }, byte);
        if (b.length > 0 && random() < 0.7) b[0] = pick([12, 13, 20, 21]);
        return b;
      },
      // Truncated.
      () => {
        const b = encodeDhcpv6Message(base());
        return b.subarray(0, Math.floor(random() * b.length));
      },
      // Bit flips.
      () => {
        const b = Uint8Array.from(encodeDhcpv6Message(base()));
        for (let k = 1 + Math.floor(random() * 8); k > 0; k--) b[Math.floor(random() * b.length)]! ^= 1 << Math.floor(random() * 8);
        return b;
      },
      // Bad lengths: a 16-bit or 8-bit field overwritten with an extreme or off-by-one value.
      () => {
        const b = Uint8Array.from(encodeDhcpv6Message(base()));
        const at = Math.floor(random() * (b.length - 1));
        const value = pick([0, 1, 0xff, 0xffff, 0x7fff, (b[at]! << 8 | b[at + 1]!) + 1, (b[at]! << 8 | b[at + 1]!) - 1]);
        if (random() < 0.5) {
          b[at] = (value >> 8) & 255;
          b[at + 1] = value & 255;
        } else {
          b[at] = value & 255;
        }
        return b;
      },
      // Bytes inserted or cut out in the middle.
      () => {
        const b = encodeDhcpv6Message(base());
        const at = Math.floor(random() * b.length);
        const n = 1 + Math.floor(random() * 8);
        return random() < 0.5 ? Uint8Array.of(...b.subarray(0, at), ...Array.from({ length: n }, byte), ...b.subarray(at)) : Uint8Array.of(...b.subarray(0, at), ...b.subarray(at + n));
      },
      // Relay chains nested deeper than 32, or with an option 9 whose length lies.
      () => {
        let b = encodeDhcpv6Message(base());
        const depth = 33 + Math.floor(random() * 60);
        for (let i = 0; i < depth; i++) b = relayBytes(b, i);
        return b;
      },
      () => {
        const inner = encodeDhcpv6Message(base());
        return relayBytes(inner, 0, pick([0, 1, inner.length + 1, inner.length - 1, 0xffff]));
      },
    ];

    const { packetsReceived, packetsDropped } = metrics();
    const total = async (counter: typeof packetsReceived) => Object.values(await countsByLabel(counter, "type")).reduce((a, b) => a + b, 0);
    const internalErrors = async () => (await countsByLabel(packetsDropped, "reason"))["internal-error"] ?? 0;
    const errorsBefore = await internalErrors();
    const handledBefore = await total(packetsReceived);

    // Fixed cases first, then the random ones; paced so that the socket buffer rarely overflows.
    const fixed: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(20),
      Uint8Array.of(20, 0, 0, 0),
      Uint8Array.of(20, 0, 0, 0, 0, 87, 0xff, 0xff),
      Uint8Array.of(12, ...new Uint8Array(33)),
      (() => {
        let b = encodeDhcpv6Message(base());
        for (let i = 0; i < 1500; i++) b = relayBytes(b, i); // ~57 kB of relays
        return b;
      })(),
      Uint8Array.of(...encodeDhcpv6Message(base()), ...new Uint8Array(60_000)),
      encodeDhcpv6Message(relayed(dhcpv4Query(dhcpv4Request({ type: 1, mac: macOf(1), clientId: Uint8Array.of(0, 9) })), [{ linkAddress: "::", peerAddress: "::" }])),
      encodeDhcpv6Message({ kind: "relay", msgType: 12, hopCount: 0, linkAddress: new Uint8Array(16), peerAddress: new Uint8Array(16), options: [interfaceIdOption(Uint8Array.of(1)), relayPortOption(1)], relayMessageIndex: 2, message: { kind: "client-server", msgType: 1, transactionId: 1, options: [] } }),
    ];
    let sent = 0;
    const send = async (bytes: Uint8Array) => {
      await sender.send(bytes, h.server.port);
      sent++;
    };
    for (const b of fixed) await send(b);
    while (sent < DATAGRAMS) {
      for (let k = 0; k < 100 && sent < DATAGRAMS; k++) await send(pick(mutants)());
      // Let the worker catch up: until it is nearly level, or makes no progress (the kernel may have dropped some).
      for (let i = 0, last = -1; i < 50; i++) {
        const handled = (await total(packetsReceived)) - handledBefore;
        if (handled >= sent - 100 || handled === last) break;
        last = handled;
        await sleep(2);
      }
    }
    for (let i = 0, last = -1; i < 100; i++) {
      const handled = (await total(packetsReceived)) - handledBefore;
      if (handled >= sent || handled === last) break;
      last = handled;
      await sleep(20);
    }
    await sleep(200);
    await h.server.allocator.leaseWriter.idle();

    const handled = (await total(packetsReceived)) - handledBefore;
    // The kernel may drop a few when its socket buffer fills; at least 10,000 reached the handler.
    expect(handled).toBeGreaterThanOrEqual(10_000);
    expect(await internalErrors(), "a datagram made the handler throw").toBe(errorsBefore);

    // No lease that existed before changed, in any column.
    const after = await h.db.lease.findMany({ where: { id: { in: before.map((r) => r.id) } }, orderBy: { id: "asc" } });
    expect(after).toEqual(before);

    // The server still works: a new client is bound, the existing ones renew.
    const fresh = await muxDora(mux, h.server.port, { mac: macOf(49_999), shared: true });
    expect(fresh?.ack?.type).toBe(DhcpMessageType.ACK);
    for (const { init, grant } of existing) {
      const r = await muxAsk(mux, h.server.port, DhcpMessageType.REQUEST, { ...init, ciaddr: grant.address, portParams: grant.params, unicast: true });
      expect(r?.type).toBe(DhcpMessageType.ACK);
      expect(grantOf(r!)).toEqual(grant);
    }
  });
});
