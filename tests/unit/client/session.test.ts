// ClientSession: the state machine wired to a transport, a clock and the lease file — run here on
// a manual clock against an in-memory 4o6 server (built with server/wire), so hours of lease pass
// in microseconds.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "@/server/client/clock";
import { ClientSession, type SessionEvent, type SessionOptions, type SessionOutcome } from "@/server/client/session";
import type { Endpoint, Transport } from "@/server/client/transport";
import { DhcpMessageType, decodeDhcp4o6Request, dhcpMessageType, encodeDhcp4o6Response, relayPort, type Dhcp4o6Request, type Dhcpv4Message } from "@/server/wire";
import { ack, IDENTITY, nak, offer, PSID5, SERVER, T0 } from "./helpers";

const dir = mkdtempSync(path.join(tmpdir(), "session-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Answer = (request: Dhcp4o6Request) => Dhcpv4Message | null;

/** Answers like a Portshare server with one shared binding; `answer` overrides. */
const portshareLike: Answer = (req) => {
  const type = dhcpMessageType(req.dhcpv4);
  if (type === DhcpMessageType.DISCOVER) return offer(req.dhcpv4, { portParams: PSID5, t1: 1800, t2: 3150 }).dhcpv4;
  if (type === DhcpMessageType.REQUEST) return ack(req.dhcpv4, { portParams: PSID5, t1: 1800, t2: 3150 }).dhcpv4;
  return null;
};

/** A transport whose "network" is a function; replies arrive on a later tick, like datagrams. */
class FakeNetwork implements Transport {
  readonly localPort: number;
  readonly queries: { request: Dhcp4o6Request; to: Endpoint }[] = [];
  answer: Answer = portshareLike;
  private listener: ((bytes: Uint8Array, from: Endpoint) => void) | undefined;

  constructor(localPort = 546) {
    this.localPort = localPort;
  }

  async send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    const request = decodeDhcp4o6Request(bytes);
    this.queries.push({ request, to });
    const reply = this.answer(request);
    if (!reply) return;
    const out = encodeDhcp4o6Response({ dhcpv4: reply, relays: request.relays });
    setImmediate(() => this.listener?.(out, to));
  }

  deliver(bytes: Uint8Array, from: Endpoint): void {
    this.listener?.(bytes, from);
  }

  onDatagram(listener: (bytes: Uint8Array, from: Endpoint) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }

  async close(): Promise<void> {}

  types(): (number | undefined)[] {
    return this.queries.map((q) => dhcpMessageType(q.request.dhcpv4));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

function session(net: FakeNetwork, options: Partial<SessionOptions> = {}) {
  const clock = new ManualClock(T0);
  const events: SessionEvent[] = [];
  const s = new ClientSession({
    identity: IDENTITY,
    prefs: { shared: true },
    servers: [SERVER],
    transport: net,
    sourceAddress: "2001:db8:1::10",
    clock,
    random: () => 0.5,
    mode: "hold",
    onEvent: (e) => events.push(e),
    ...options,
  });
  let outcome: SessionOutcome | undefined;
  void s.run().then((o) => (outcome = o));
  return { s, clock, events, outcome: () => outcome };
}

describe("ClientSession", () => {
  it("--once: resolves when bound, writes the lease file, leaves no timer behind", async () => {
    const net = new FakeNetwork();
    const file = path.join(dir, "once.json");
    const { clock, outcome } = session(net, { mode: "once", leaseFile: file });
    await settle();
    expect(outcome()).toMatchObject({ kind: "bound", via: "selecting", lease: { portParams: PSID5 } });
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ address: "192.0.2.10", portParams: PSID5, sourceAddress: "2001:db8:1::10" });
    expect(clock.pending()).toEqual([]);
    expect(net.types()).toEqual([DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST]);
  });

  it("--once --release: releases right after binding and removes the lease file", async () => {
    const net = new FakeNetwork();
    const file = path.join(dir, "once-release.json");
    const { outcome } = session(net, { mode: "once", releaseWhenBound: true, leaseFile: file });
    await settle();
    expect(outcome()?.kind).toBe("released");
    expect(net.types()).toEqual([DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST, DhcpMessageType.RELEASE]);
    expect(net.queries[2]!.request.query.unicast).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it("--hold: renews at T1 on the clock, releases on stop()", async () => {
    const net = new FakeNetwork();
    const { s, clock, events, outcome } = session(net);
    await settle();
    expect(s.state).toBe("BOUND");
    clock.advance(1800_000);
    await settle();
    expect(events.filter((e) => e.kind === "bound").map((e) => (e as { via: string }).via)).toEqual(["selecting", "renewing"]);
    expect(net.queries.at(-1)!.request.query.unicast).toBe(true);
    clock.advance(1800_000);
    await settle();
    await s.stop();
    expect(outcome()?.kind).toBe("released");
    expect(net.types().at(-1)).toBe(DhcpMessageType.RELEASE);
    expect(clock.pending()).toEqual([]);
  });

  it("stop() before any binding just stops", async () => {
    const net = new FakeNetwork();
    net.answer = () => null;
    const { s, outcome } = session(net);
    await settle();
    expect(await s.stop()).toEqual({ kind: "stopped" });
    expect(outcome()).toEqual({ kind: "stopped" });
    expect(net.types()).toEqual([DhcpMessageType.DISCOVER]);
  });

  it("gives up when nobody answers: no answer (and no link-local fallback, nothing else sent)", async () => {
    const net = new FakeNetwork();
    net.answer = () => null;
    const { clock, outcome } = session(net, { retransmit: { attempts: 3 } });
    clock.advance(4000 + 8000 + 16000);
    await settle();
    expect(outcome()).toMatchObject({ kind: "gave-up", reason: "no-answer" });
    expect(net.types()).toEqual([DhcpMessageType.DISCOVER, DhcpMessageType.DISCOVER, DhcpMessageType.DISCOVER]);
  });

  it("a NAK on renewal forgets the stored lease and starts over with DISCOVER", async () => {
    const net = new FakeNetwork();
    const file = path.join(dir, "nak.json");
    const { s, clock, events } = session(net, { leaseFile: file });
    await settle();
    expect(existsSync(file)).toBe(true);
    net.answer = (req) => (req.dhcpv4.ciaddr !== 0 ? nak(req.dhcpv4).dhcpv4 : portshareLike(req));
    clock.advance(1800_000);
    await settle();
    expect(events.some((e) => e.kind === "nak")).toBe(true);
    expect(net.types().slice(2)).toEqual([DhcpMessageType.REQUEST, DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST]);
    expect(s.state).toBe("BOUND");
    await s.stop();
  });

  it("lease file: INIT-REBOOT with the same IPv6 source, DISCOVER when it changed", async () => {
    const file = path.join(dir, "reboot.json");
    const first = new FakeNetwork();
    session(first, { mode: "once", leaseFile: file });
    await settle();

    const same = new FakeNetwork();
    const again = session(same, { mode: "once", leaseFile: file });
    await settle();
    expect(again.events[0]).toMatchObject({ kind: "start", decision: { kind: "init-reboot" } });
    expect(same.types()).toEqual([DhcpMessageType.REQUEST]);
    expect(same.queries[0]!.request.dhcpv4.ciaddr).toBe(0);
    expect(again.outcome()).toMatchObject({ kind: "bound", via: "init-reboot" });

    const moved = new FakeNetwork();
    const elsewhere = session(moved, { mode: "once", leaseFile: file, sourceAddress: "2001:db8:1::99" });
    await settle();
    expect(elsewhere.events[0]).toMatchObject({ kind: "start", decision: { kind: "discover" } });
    expect(moved.types()).toEqual([DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST]);
    expect(elsewhere.outcome()).toMatchObject({ kind: "bound", via: "selecting" });
  });

  it("relayed: each query goes in RELAY-FORW layers with 135 (local port not 547), the reply comes back through them", async () => {
    const net = new FakeNetwork(40000);
    const { outcome } = session(net, { mode: "once", relay: { hops: 2, linkAddress: "2001:db8:1::1", interfaceId: new TextEncoder().encode("cpe-7") } });
    await settle();
    expect(outcome()?.kind).toBe("bound");
    const { relays } = net.queries[0]!.request;
    expect(relays.map((r) => r.hopCount)).toEqual([0, 1]);
    expect(relays.map((r) => relayPort(r))).toEqual([0, 40000]);
    expect(Buffer.from(relays[0]!.options.find((o) => o.code === 18)!.data).toString()).toBe("cpe-7");
  });

  it("an undecodable datagram is noted and ignored", async () => {
    const net = new FakeNetwork();
    net.answer = () => null;
    const { s, events } = session(net);
    net.deliver(Uint8Array.of(21, 0, 0, 0), SERVER);
    expect(events.some((e) => e.kind === "note" && e.text.includes("ignored datagram"))).toBe(true);
    expect(s.state).toBe("SELECTING");
    await s.stop();
  });
});
