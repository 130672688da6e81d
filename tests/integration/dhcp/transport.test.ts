// protocol.md §3.9, the transport-layer checklist (RFC 7341, RFC 8415 relaying, RFC 8357), over
// real UDP on [::1]: what a DHCPV4-QUERY must look like to be answered, what the
// DHCPV4-RESPONSE looks like, and how it travels back through a relay chain.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDhcp4o6Handler } from "@/server/dhcp4o6/handler";
import {
  DhcpMessageType,
  MAX_RELAY_DEPTH,
  dhcpv4MsgOption,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  getDhcpv6Option,
  getDhcpv6Options,
  interfaceIdOption,
  parseIpv6,
  portParams,
  relayPortOption,
  type Dhcp4o6Message,
  type Dhcpv6Message,
  type Dhcpv6Option,
  type RelayMessage,
} from "@/server/wire";
import { testBackends } from "../support/databases";
import { startTestServer } from "../support/dhcp-server";
import { dhcpv4Query, dhcpv4Request, ip, macOf, parseResponse, type Response } from "../../support/test-client";
import { Harness, Listener, SILENCE_MS, TEST_SERVER_ID, exchange, hex } from "./harness";

const backends = await testBackends();

const POOLS = [
  { name: "shared", kind: "shared", range: "192.0.2.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600 },
  { name: "dedicated", kind: "dedicated", range: "198.51.100.0/24", leaseTime: 3600 },
];

/** A RELAY-FORW layer around `inner`. */
function relay(inner: Dhcpv6Message, hopCount: number, link: string, peer: string, options: Dhcpv6Option[] = [], relayMessageIndex = options.length): RelayMessage {
  return { kind: "relay", msgType: 12, hopCount, linkAddress: parseIpv6(link)!, peerAddress: parseIpv6(peer)!, options, relayMessageIndex, message: inner };
}

/** RELAY-FORW around raw bytes (the codec refuses to build more than 32 layers; a relay chain can). */
function relayBytes(inner: Uint8Array, hopCount: number): Uint8Array {
  const out = Buffer.alloc(34 + 4 + inner.length);
  out[0] = 12;
  out[1] = hopCount & 255;
  parseIpv6("2001:db8:ff::1")!.forEach((b, i) => (out[2 + i] = b));
  parseIpv6("fe80::1")!.forEach((b, i) => (out[18 + i] = b));
  out.writeUInt16BE(9, 34);
  out.writeUInt16BE(inner.length, 36);
  out.set(inner, 38);
  return out;
}

const discoverQuery = (n: number, unicast = false, v6Options: Dhcpv6Option[] = []) =>
  dhcpv4Query(dhcpv4Request({ type: DhcpMessageType.DISCOVER, mac: macOf(n), shared: true }), unicast, v6Options);

/** The DHCPV4-RESPONSE must be msg-type 21, flags 000000, exactly one 87 holding a BOOTREPLY, only IPv4-related options. */
function expectWellFormedResponse(r: Response) {
  expect(r.response.msgType).toBe(21);
  expect(r.response.unicast).toBe(false);
  expect(r.response.mbzFlags).toBe(0);
  expect(getDhcpv6Options(r.response, 87)).toHaveLength(1);
  expect(r.dhcpv4.op).toBe(2);
  // RFC 7341 §6.2: only options about IPv4 configuration; never 88 [design].
  for (const o of r.response.options) expect([87, 90, 137]).toContain(o.code);
}

describe.each(backends)("4o6 transport (protocol.md §3.9) on %s", (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe("DHCPV4-QUERY in", () => {
    it("answers a DHCPV4-QUERY (msg-type 20) sent by unicast to the server's port", async () => {
      const r = await exchange(h.client, discoverQuery(1));
      expect(r?.type).toBe(DhcpMessageType.OFFER);
    });

    it("sends no response to a DHCPV4-QUERY without option 87 (RFC 7341 §11)", async () => {
      const query: Dhcp4o6Message = { kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [] };
      expect(await exchange(h.client, query, SILENCE_MS)).toBeNull();
    });

    it("sends no response to a DHCPV4-QUERY with two options 87 [design]", async () => {
      const v4 = encodeDhcpv4Message(dhcpv4Request({ type: DhcpMessageType.DISCOVER, mac: macOf(2), shared: true }));
      const query: Dhcp4o6Message = { kind: "4o6", msgType: 20, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(v4), dhcpv4MsgOption(v4)] };
      expect(await exchange(h.client, query, SILENCE_MS)).toBeNull();
      // The same message with one option 87 is answered: the silence was the duplicate's.
      expect((await exchange(h.client, { ...query, options: [dhcpv4MsgOption(v4)] }))?.type).toBe(DhcpMessageType.OFFER);
    });

    it("accepts U = 1 and U = 0, and ignores set MBZ flag bits (RFC 7341 §6.3)", async () => {
      for (const [unicast, mbzFlags] of [[false, 0], [true, 0], [false, 0x7fffff], [true, 0x123456]] as const) {
        const query = { ...discoverQuery(3), unicast, mbzFlags };
        const r = await exchange(h.client, query);
        expect(r?.type, `U=${unicast} MBZ=${mbzFlags.toString(16)}`).toBe(DhcpMessageType.OFFER);
      }
    });

    it("processes a DISCOVER with U = 1 (a client that knows the server may unicast it, RFC 2131 §4.4.4)", async () => {
      const r = await exchange(h.client, discoverQuery(4, true));
      expect(r?.type).toBe(DhcpMessageType.OFFER);
      expect(r!.dhcpv4.yiaddr).not.toBe(0);
    });

    it("ignores a DHCPV4-RESPONSE (msg-type 21) sent to it, direct or relayed", async () => {
      const v4 = encodeDhcpv4Message(dhcpv4Request({ type: DhcpMessageType.DISCOVER, mac: macOf(5), shared: true }));
      const response: Dhcp4o6Message = { kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0, options: [dhcpv4MsgOption(v4)] };
      expect(await exchange(h.client, response, SILENCE_MS)).toBeNull();
      expect(await exchange(h.client, relay(response, 0, "2001:db8:1::1", "fe80::5"), SILENCE_MS)).toBeNull();
    });

    it("ignores a RELAY-REPL sent to it", async () => {
      const reply: RelayMessage = { ...relay(discoverQuery(6), 0, "2001:db8:1::1", "fe80::6"), msgType: 13 };
      expect(await exchange(h.client, reply, SILENCE_MS)).toBeNull();
    });
  });

  describe("DHCPV4-RESPONSE out", () => {
    it("has msg-type 21, flags exactly 000000 whatever the query's flags, one option 87 with a BOOTREPLY, no option 88", async () => {
      for (const unicast of [false, true]) {
        const r = await exchange(h.client, { ...discoverQuery(10), unicast, mbzFlags: 0x7fffff });
        expect(r).not.toBeNull();
        expectWellFormedResponse(r!);
        // The raw bytes, not only the decoded view: byte 0 = 21, bytes 1-3 = 0.
        expect([...r!.bytes.subarray(0, 4)]).toEqual([21, 0, 0, 0]);
      }
    });

    it("carries no option 88 and no IPv6-only option even when the query's ORO lists them", async () => {
      // ORO (6) asking for 88 (forbidden in a DHCPV4-QUERY's ORO, RFC 7341 §9), 23 (DNS), 90 and 137.
      const oro: Dhcpv6Option = { code: 6, data: Uint8Array.of(0, 88, 0, 23, 0, 90, 0, 137) };
      const r = await exchange(h.client, discoverQuery(11, false, [oro]));
      expect(r).not.toBeNull();
      expectWellFormedResponse(r!);
      expect(getDhcpv6Option(r!.response, 88)).toBeUndefined();
      expect(getDhcpv6Option(r!.response, 23)).toBeUndefined();
    });

    it("answers a direct query at its source address on the client port 546, not on the port it came from (RFC 8415 §7.2)", async () => {
      // The handler's own default, without a socket: port 546 for direct, 547 for relayed.
      const handler = createDhcp4o6Handler({ allocator: h.server.allocator, serverId: TEST_SERVER_ID, log: pino({ level: "silent" }) });
      const direct = await handler.handle(Buffer.from(encodeDhcpv6Message(discoverQuery(12))), { address: "::1", port: 40000 });
      expect(direct).toMatchObject({ kind: "reply", address: "::1", port: 546 });
      const relayedQuery = relay(discoverQuery(12), 0, "2001:db8:1::1", "fe80::12");
      const viaRelay = await handler.handle(Buffer.from(encodeDhcpv6Message(relayedQuery)), { address: "2001:db8:1::1", port: 40000 });
      expect(viaRelay).toMatchObject({ kind: "reply", address: "2001:db8:1::1", port: 547 });
      const withPort = relay(discoverQuery(12), 0, "2001:db8:1::1", "fe80::12", [relayPortOption(40000)]);
      const viaRelayPort = await handler.handle(Buffer.from(encodeDhcpv6Message(withPort)), { address: "2001:db8:1::1", port: 40000 });
      expect(viaRelayPort).toMatchObject({ kind: "reply", address: "2001:db8:1::1", port: 40000 });
    });

    it("over UDP: direct replies go to the client port, relayed ones to the relay port unless option 135 names the sender's", async () => {
      // A second server on the same database whose "546" and "547" are two sockets of ours.
      const clientPort = await Listener.open();
      const relayPort = await Listener.open();
      const sender = await Listener.open();
      const server = await startTestServer(h.t, { clientPort: clientPort.port, relayPort: relayPort.port, workerId: "ports" });
      try {
        await sender.send(discoverQuery(13), server.port);
        expect(await clientPort.waitFor(1)).toBe(true);
        expect(parseResponse(clientPort.received[0]!.data).type).toBe(DhcpMessageType.OFFER);

        await sender.send(relay(discoverQuery(14), 0, "2001:db8:1::1", "fe80::14"), server.port);
        expect(await relayPort.waitFor(1)).toBe(true);
        expect(parseResponse(relayPort.received[0]!.data).message.msgType).toBe(13);

        // RFC 8357 §5.2: with option 135 the reply goes to the UDP source port of the RELAY-FORW.
        await sender.send(relay(discoverQuery(15), 0, "2001:db8:1::1", "fe80::15", [relayPortOption(sender.port)]), server.port);
        expect(await sender.waitFor(1)).toBe(true);
        expect(parseResponse(sender.received[0]!.data).type).toBe(DhcpMessageType.OFFER);

        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(clientPort.received).toHaveLength(1);
        expect(relayPort.received).toHaveLength(1);
        expect(sender.received).toHaveLength(1);
      } finally {
        await server.stop();
        for (const l of [clientPort, relayPort, sender]) l.close();
      }
    });
  });

  describe("RELAY-FORW in, RELAY-REPL out", () => {
    it("answers a relayed query with one RELAY-REPL copying hop-count, link-address, peer-address and echoing 18 byte-identical", async () => {
      const interfaceId = Uint8Array.of(0, 1, 0xfe, 0xff, 0x80, 0x7f, 0x20, 0);
      const query = relay(discoverQuery(20), 0, "2001:db8:20::1", "fe80::20", [interfaceIdOption(interfaceId)], 0);
      const r = await exchange(h.client, query);
      expect(r).not.toBeNull();
      const reply = r!.message as RelayMessage;
      expect(reply.msgType).toBe(13);
      expect(reply.hopCount).toBe(0);
      expect(hex(reply.linkAddress)).toBe(hex(parseIpv6("2001:db8:20::1")!));
      expect(hex(reply.peerAddress)).toBe(hex(parseIpv6("fe80::20")!));
      expect(reply.options.map((o) => o.code)).toEqual([18]);
      expect(hex(getDhcpv6Option(reply, 18)!)).toBe(hex(interfaceId));
      expect(reply.message.kind).toBe("4o6");
      expectWellFormedResponse(r!);
      expect(r!.type).toBe(DhcpMessageType.OFFER);
    });

    it("answers a doubly relayed query through both relays, one RELAY-REPL per layer in reverse order", async () => {
      const inner = relay(discoverQuery(21), 0, "2001:db8:21::1", "fe80::21", [interfaceIdOption(new TextEncoder().encode("inner-port"))]);
      const outer = relay(inner, 1, "::", "2001:db8:21::1", [interfaceIdOption(new TextEncoder().encode("outer")), relayPortOption(h.client.port)], 0);
      const r = await exchange(h.client, outer);
      expect(r).not.toBeNull();
      const o = r!.message as RelayMessage;
      expect(o.msgType).toBe(13);
      expect(o.hopCount).toBe(1);
      expect(hex(o.linkAddress)).toBe(hex(parseIpv6("::")!));
      expect(hex(o.peerAddress)).toBe(hex(parseIpv6("2001:db8:21::1")!));
      expect(o.options.map((x) => x.code)).toEqual([18, 135]);
      expect(Buffer.from(getDhcpv6Option(o, 18)!).toString()).toBe("outer");
      expect(Buffer.from(getDhcpv6Option(o, 135)!).readUInt16BE(0)).toBe(h.client.port);
      const i = o.message as RelayMessage;
      expect(i.kind).toBe("relay");
      expect(i.msgType).toBe(13);
      expect(i.hopCount).toBe(0);
      expect(hex(i.linkAddress)).toBe(hex(parseIpv6("2001:db8:21::1")!));
      expect(hex(i.peerAddress)).toBe(hex(parseIpv6("fe80::21")!));
      expect(Buffer.from(getDhcpv6Option(i, 18)!).toString()).toBe("inner-port");
      expect(getDhcpv6Option(i, 135)).toBeUndefined();
      expect(i.message.kind).toBe("4o6");
      expect(r!.type).toBe(DhcpMessageType.OFFER);
    });

    it("echoes option 135 of every layer and does not echo other relay options", async () => {
      const remoteId: Dhcpv6Option = { code: 37, data: Uint8Array.of(0, 0, 0, 9, 1, 2, 3) };
      const query = relay(discoverQuery(22), 0, "2001:db8:22::1", "fe80::22", [remoteId, relayPortOption(h.client.port)]);
      const r = await exchange(h.client, query);
      expect(r).not.toBeNull();
      const reply = r!.message as RelayMessage;
      expect(reply.options.map((o) => o.code)).toEqual([135]);
    });

    it(`answers a query inside ${MAX_RELAY_DEPTH} relay layers and drops one nested deeper [design]`, async () => {
      const hops = (n: number) => {
        let bytes = encodeDhcpv6Message(discoverQuery(23));
        for (let i = 0; i < n; i++) bytes = relayBytes(bytes, i);
        return bytes;
      };
      const r = await exchange(h.client, hops(MAX_RELAY_DEPTH));
      expect(r?.type).toBe(DhcpMessageType.OFFER);
      let depth = 0;
      for (let m: Dhcpv6Message = r!.message; m.kind === "relay"; m = m.message) {
        expect(m.msgType).toBe(13);
        expect(m.hopCount).toBe(MAX_RELAY_DEPTH - 1 - depth);
        depth++;
      }
      expect(depth).toBe(MAX_RELAY_DEPTH);
      expect(await exchange(h.client, hops(MAX_RELAY_DEPTH + 1), SILENCE_MS)).toBeNull();
      expect(await exchange(h.client, hops(100), SILENCE_MS)).toBeNull();
    });

    it("answers a relayed REQUEST through the relay and binds the lease (full DORA through a relay)", async () => {
      const mac = macOf(24);
      const via = (m: Dhcpv6Message) => relay(m, 0, "2001:db8:24::1", "fe80::24", [interfaceIdOption(Uint8Array.of(24))]);
      const offer = await exchange(h.client, via(dhcpv4Query(dhcpv4Request({ type: DhcpMessageType.DISCOVER, mac, shared: true }))));
      expect(offer?.type).toBe(DhcpMessageType.OFFER);
      const request = dhcpv4Request({
        type: DhcpMessageType.REQUEST, mac, shared: true, requestedIp: offer!.dhcpv4.yiaddr, serverId: TEST_SERVER_ID,
        portParams: portParams(offer!.dhcpv4),
      });
      const ack = await exchange(h.client, via(dhcpv4Query(request)));
      expect(ack?.type).toBe(DhcpMessageType.ACK);
      expect(ack!.message.kind).toBe("relay");
      const row = await h.db.lease.findFirst({ where: { address: BigInt(ack!.dhcpv4.yiaddr), state: "BOUND" } });
      expect(row).not.toBeNull();
      // The client's IPv6 address is the innermost relay's peer-address (no option 109 sent).
      expect(row!.ipv6Address).toBe("fe80::24");
      expect(ack!.dhcpv4.yiaddr).toBeGreaterThanOrEqual(ip("192.0.2.0"));
    });
  });
});
