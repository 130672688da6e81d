// The RFC 2131 client state machine of portshare-client, driven with a fake clock: every
// transition, what each message carries (RFC 7341 U flag, RFC 7618 option 159, RFC 8539 109),
// the timers (RFC 2131 §4.1, §4.4.5) and the offer rules (RFC 7618 §5).
import { describe, expect, it } from "vitest";
import { LeaseStateMachine, type MachineAction, type MachineConfig, type MachineEvent, type TimerName } from "@/server/client/lease-state";
import type { Slot } from "@/server/client/messages";
import type { Endpoint, ReceivedResponse } from "@/server/client/transport";
import { DhcpMessageType, dhcpMessageType, getDhcpv4Option, parameterRequestList, portParams, requestedIpAddress, serverIdentifier, softwireSource, type Dhcpv4Message } from "@/server/wire";
import { ack, br, CLIENT_ID, config, ip, nak, offer, optionCodes, PSID5, SERVER, SERVER_B, SERVER_ID, SERVER_ID_B, T0, v6 } from "./helpers";

type Send = Extract<MachineAction, { kind: "send" }>;

/** Runs the machine on a fake clock: keeps its timers and what it sent. */
class Driver {
  readonly machine: LeaseStateMachine;
  now = T0;
  readonly timers = new Map<TimerName, number>();
  readonly sent: Send[] = [];
  readonly actions: MachineAction[] = [];

  constructor(cfg: MachineConfig = config()) {
    this.machine = new LeaseStateMachine(cfg);
  }

  do(event: MachineEvent): MachineAction[] {
    const actions = this.machine.handle(event, this.now);
    for (const a of actions) {
      if (a.kind === "set-timer") this.timers.set(a.timer, a.at);
      else if (a.kind === "cancel-timer") this.timers.delete(a.timer);
      else if (a.kind === "send") this.sent.push(a);
    }
    this.actions.push(...actions);
    return actions;
  }

  start(event: { reboot?: Slot; hint?: Slot } = {}): MachineAction[] {
    return this.do({ kind: "start", ...event });
  }

  /** Moves the clock to the timer's due time and fires it. */
  fire(timer: TimerName): MachineAction[] {
    const at = this.timers.get(timer);
    if (at === undefined) throw new Error(`timer ${timer} is not set; set: ${[...this.timers.keys()].join(", ")}`);
    this.now = at;
    this.timers.delete(timer);
    return this.do({ kind: "timer", timer });
  }

  respond(response: ReceivedResponse, from: Endpoint = SERVER): MachineAction[] {
    return this.do({ kind: "response", response, from });
  }

  get last(): Send {
    return this.sent.at(-1)!;
  }

  get lastMessage(): Dhcpv4Message {
    return this.last.dhcpv4;
  }

  of<K extends MachineAction["kind"]>(kind: K, actions: MachineAction[] = this.actions): Extract<MachineAction, { kind: K }>[] {
    return actions.filter((a) => a.kind === kind) as Extract<MachineAction, { kind: K }>[];
  }

  /** DISCOVER → OFFER → REQUEST → ACK with the given ACK fields. */
  bind(init: Parameters<typeof ack>[1] = { portParams: PSID5 }): void {
    this.start();
    this.respond(offer(this.lastMessage, init));
    this.respond(ack(this.lastMessage, init));
  }
}

const typeOf = (m: Dhcpv4Message) => dhcpMessageType(m);
const has = (m: Dhcpv4Message, code: number) => getDhcpv4Option(m, code) !== undefined;

describe("INIT → SELECTING: DHCPDISCOVER", () => {
  it("carries the RFC 4361 client identifier and, when shared, 159 in the PRL; U = 0, to every server", () => {
    const d = new Driver();
    d.start();
    expect(d.machine.state).toBe("SELECTING");
    const m = d.lastMessage;
    expect(typeOf(m)).toBe(DhcpMessageType.DISCOVER);
    expect([...getDhcpv4Option(m, 61)!]).toEqual([255, 0, 0, 0, 1, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1]);
    expect([...parameterRequestList(m)!]).toContain(159);
    expect(d.last).toMatchObject({ unicast: false, to: "servers" });
    expect(m.ciaddr).toBe(0);
    expect(has(m, 50)).toBe(false);
    expect(has(m, 159)).toBe(false);
    expect(has(m, 54)).toBe(false);
  });

  it("does not list 159 for a client that does not want a shared address", () => {
    const d = new Driver(config({ prefs: { shared: false }, policy: { preferShared: false, askedShared: false, requireBr: false } }));
    d.start();
    expect([...parameterRequestList(d.lastMessage)!]).not.toContain(159);
  });

  it("sends a PSID-length size hint as 159 with only PSID-len set, and a re-allocation hint as 50 + the old 159 (RFC 7618 §7)", () => {
    const sized = new Driver(config({ prefs: { shared: true, psidLengthHint: 6 } }));
    sized.start();
    expect(portParams(sized.lastMessage)).toEqual({ offset: 0, psidLength: 6, psid: 0 });
    expect(has(sized.lastMessage, 50)).toBe(false);

    const hinted = new Driver(config({ prefs: { shared: true, psidLengthHint: 6 } }));
    hinted.start({ hint: { address: ip("192.0.2.10"), portParams: PSID5 } });
    expect(requestedIpAddress(hinted.lastMessage)).toBe(ip("192.0.2.10"));
    expect(portParams(hinted.lastMessage)).toEqual(PSID5);
  });

  it("retransmits after 4 s, 8 s, 16 s (same xid) and gives up after the attempts: no answer, and nothing else is tried", () => {
    const d = new Driver();
    d.start();
    const xid = d.lastMessage.xid;
    expect(d.timers.get("retransmit")).toBe(T0 + 4000);
    d.fire("retransmit");
    expect(d.timers.get("retransmit")).toBe(T0 + 4000 + 8000);
    d.fire("retransmit");
    d.fire("retransmit");
    expect(d.now).toBe(T0 + 4000 + 8000 + 16000);
    expect(d.sent.map((s) => typeOf(s.dhcpv4))).toEqual([1, 1, 1, 1]);
    expect(new Set(d.sent.map((s) => s.dhcpv4.xid))).toEqual(new Set([xid]));
    expect(d.sent.map((s) => s.dhcpv4.secs)).toEqual([0, 4, 12, 28]);
    const actions = d.fire("retransmit");
    expect(d.of("gave-up", actions)).toEqual([{ kind: "gave-up", reason: "no-answer", detail: "no OFFER after 4 DISCOVERs" }]);
    expect(d.machine.state).toBe("STOPPED");
    expect(d.sent).toHaveLength(4);
    expect(d.timers.size).toBe(0);
  });
});

describe("SELECTING → REQUESTING → BOUND", () => {
  it("REQUEST carries 50 = the offered address, 54, the offer's 159, the same xid and secs, ciaddr 0, U = 0 to every server", () => {
    const d = new Driver();
    d.start();
    const discover = d.lastMessage;
    d.now += 1500;
    d.respond(offer(discover, { yiaddr: ip("192.0.2.10"), portParams: PSID5 }));
    expect(d.machine.state).toBe("REQUESTING");
    const r = d.lastMessage;
    expect(typeOf(r)).toBe(DhcpMessageType.REQUEST);
    expect(r.xid).toBe(discover.xid);
    expect(r.secs).toBe(discover.secs);
    expect(requestedIpAddress(r)).toBe(ip("192.0.2.10"));
    expect(serverIdentifier(r)).toBe(SERVER_ID);
    expect(portParams(r)).toEqual(PSID5);
    expect(r.ciaddr).toBe(0);
    expect([...parameterRequestList(r)!]).toContain(159);
    expect([...getDhcpv4Option(r, 61)!]).toEqual([...CLIENT_ID]);
    expect(d.last).toMatchObject({ unicast: false, to: "servers" });
  });

  it("binds on the ACK: T1/T2/expiry counted from when the REQUEST was sent; never probes or declines", () => {
    const d = new Driver();
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    const sentAt = d.now;
    d.now += 300;
    const actions = d.respond(ack(d.lastMessage, { portParams: PSID5, lease: 3600, t1: 1000, t2: 2000 }));
    expect(d.machine.state).toBe("BOUND");
    const [bound] = d.of("bound", actions);
    expect(bound).toMatchObject({ via: "selecting", lease: { address: ip("192.0.2.10"), portParams: PSID5, serverId: SERVER_ID, server: SERVER, leaseSeconds: 3600, t1Seconds: 1000, t2Seconds: 2000, boundAt: sentAt } });
    expect(d.timers.get("renew")).toBe(sentAt + 1000_000);
    expect(d.timers.get("rebind")).toBe(sentAt + 2000_000);
    expect(d.timers.get("expire")).toBe(sentAt + 3600_000);
    expect(d.timers.has("retransmit")).toBe(false);
    expect(d.sent.map((s) => typeOf(s.dhcpv4))).toEqual([DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST]);
  });

  it("defaults T1 and T2 to 0.5 and 0.875 of the lease (RFC 2131 §4.4.5)", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5, lease: 1000 });
    expect(d.machine.lease).toMatchObject({ t1Seconds: 500, t2Seconds: 875 });
  });

  it("an ACK without 159 although it was asked for makes a full-address client (RFC 7618 §7); the ACK's 159 wins over the offer's", () => {
    const d = new Driver();
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    d.respond(ack(d.lastMessage, {}));
    expect(d.machine.lease?.portParams).toBeUndefined();

    const e = new Driver();
    e.start();
    e.respond(offer(e.lastMessage, { portParams: PSID5 }));
    e.respond(ack(e.lastMessage, { portParams: { ...PSID5, psid: 9 } }));
    expect(e.machine.lease?.portParams).toEqual({ ...PSID5, psid: 9 });
  });

  it("ignores replies with another xid, another client's identifier, a NAK from a server not chosen, and an ACK without lease time", () => {
    const d = new Driver();
    d.start();
    const discover = d.lastMessage;
    d.respond(offer({ ...discover, xid: discover.xid + 1 }));
    d.respond(offer(discover, { clientId: Uint8Array.of(255, 0, 0, 0, 9, 0, 3, 0, 1, 1, 1, 1, 1, 1, 1) }));
    expect(d.machine.state).toBe("SELECTING");
    d.respond(offer(discover, { portParams: PSID5 }));
    const request = d.lastMessage;
    d.respond(nak(request, { serverId: SERVER_ID_B }));
    expect(d.machine.state).toBe("REQUESTING");
    const noLease = ack(request, { portParams: PSID5 });
    noLease.dhcpv4.options = noLease.dhcpv4.options.filter((o) => o.code !== 51);
    d.respond(noLease);
    expect(d.machine.state).toBe("REQUESTING");
    expect(d.of("note").length).toBe(4);
    d.respond(ack(request, { portParams: PSID5 }));
    expect(d.machine.state).toBe("BOUND");
  });

  it("a REQUEST without answer is retransmitted, then the client starts over from DISCOVER", () => {
    const d = new Driver();
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    for (let i = 0; i < 3; i++) d.fire("retransmit");
    expect(d.sent.filter((s) => typeOf(s.dhcpv4) === DhcpMessageType.REQUEST)).toHaveLength(4);
    d.fire("retransmit");
    expect(d.machine.state).toBe("SELECTING");
    expect(typeOf(d.lastMessage)).toBe(DhcpMessageType.DISCOVER);
  });
});

describe("BOUND → RENEWING → REBINDING", () => {
  it("T1: RENEWING — ciaddr, 159 held, no 50 or 54, U = 1, to the server that granted the lease (RFC 7341 §8)", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 });
    const bindXid = d.lastMessage.xid;
    d.fire("renew");
    expect(d.machine.state).toBe("RENEWING");
    const r = d.lastMessage;
    expect(typeOf(r)).toBe(DhcpMessageType.REQUEST);
    expect(r.ciaddr).toBe(ip("192.0.2.10"));
    expect(r.xid).not.toBe(bindXid);
    expect(has(r, 50)).toBe(false);
    expect(has(r, 54)).toBe(false);
    expect(portParams(r)).toEqual(PSID5);
    expect(d.last).toMatchObject({ unicast: true, to: SERVER });
  });

  it("RENEWING retransmits after half the time to T2, never sooner than 60 s (RFC 2131 §4.4.5)", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 });
    d.fire("renew");
    const t1 = d.now;
    expect(d.timers.get("retransmit")).toBe(t1 + 675_000);
    d.fire("retransmit");
    expect(d.timers.get("retransmit")).toBe(d.now + 337_500);
    expect(d.last).toMatchObject({ unicast: true, to: SERVER });

    const short = new Driver();
    short.bind({ portParams: PSID5, t1: 100, t2: 150, lease: 200 });
    short.fire("renew");
    // 60 s later would be past T2: T2 takes over, no retransmission.
    expect(short.timers.has("retransmit")).toBe(false);
  });

  it("an ACK in RENEWING extends the lease from when the renewal was sent", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 });
    d.fire("renew");
    const sentAt = d.now;
    d.now += 50;
    const actions = d.respond(ack(d.lastMessage, { portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 }));
    expect(d.of("bound", actions)[0]).toMatchObject({ via: "renewing", lease: { boundAt: sentAt } });
    expect(d.machine.state).toBe("BOUND");
    expect(d.timers.get("renew")).toBe(sentAt + 1800_000);
  });

  it("T2: REBINDING — same contents, U = 0, to every server; an ACK rebinds", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 });
    d.fire("renew");
    d.fire("rebind");
    expect(d.machine.state).toBe("REBINDING");
    const r = d.lastMessage;
    expect(r.ciaddr).toBe(ip("192.0.2.10"));
    expect(portParams(r)).toEqual(PSID5);
    expect(has(r, 50) || has(r, 54)).toBe(false);
    expect(d.last).toMatchObject({ unicast: false, to: "servers" });
    expect(d.timers.get("retransmit")).toBe(d.now + 225_000);
    const actions = d.respond(ack(r, { portParams: PSID5 }), SERVER_B);
    expect(d.of("bound", actions)[0]).toMatchObject({ via: "rebinding", lease: { server: SERVER_B } });
  });

  it("NAK in RENEWING: the lease is lost and the client restarts with a DISCOVER that names nothing", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5 });
    d.fire("renew");
    const actions = d.respond(nak(d.lastMessage, { message: "revoked" }));
    expect(d.of("nak", actions)).toEqual([{ kind: "nak", in: "RENEWING", serverId: SERVER_ID, message: "revoked" }]);
    expect(d.of("lease-lost", actions)).toEqual([{ kind: "lease-lost", reason: "nak", slot: { address: ip("192.0.2.10"), portParams: PSID5 } }]);
    expect(d.machine.state).toBe("SELECTING");
    expect(d.machine.lease).toBeUndefined();
    expect(typeOf(d.lastMessage)).toBe(DhcpMessageType.DISCOVER);
    expect(has(d.lastMessage, 50)).toBe(false);
    expect(has(d.lastMessage, 159)).toBe(false);
    expect(["renew", "rebind", "expire"].some((t) => d.timers.has(t as TimerName))).toBe(false);
  });

  it("expiry in REBINDING: the lease is lost and the client asks for the same binding again with a DISCOVER", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5 });
    d.fire("renew");
    d.fire("rebind");
    const actions = d.fire("expire");
    expect(d.of("lease-lost", actions)).toEqual([{ kind: "lease-lost", reason: "expired", slot: { address: ip("192.0.2.10"), portParams: PSID5 } }]);
    expect(d.machine.state).toBe("SELECTING");
    expect(requestedIpAddress(d.lastMessage)).toBe(ip("192.0.2.10"));
    expect(portParams(d.lastMessage)).toEqual(PSID5);
  });

  it("T1 at or after T2 (e.g. --rebind-after below T1) skips RENEWING; an infinite lease sets no timer", () => {
    const d = new Driver(config({ overrides: { rebindAfterSeconds: 10 } }));
    d.bind({ portParams: PSID5, t1: 1800, t2: 3150, lease: 3600 });
    expect(d.timers.has("renew")).toBe(false);
    expect(d.timers.get("rebind")).toBe(T0 + 10_000);
    d.fire("rebind");
    expect(d.machine.state).toBe("REBINDING");

    const r = new Driver(config({ overrides: { renewAfterSeconds: 5 } }));
    r.bind({ portParams: PSID5 });
    expect(r.timers.get("renew")).toBe(T0 + 5000);

    const forever = new Driver();
    forever.bind({ portParams: PSID5, lease: 0xffffffff });
    expect([...forever.timers.keys()]).toEqual([]);
  });
});

describe("INIT-REBOOT", () => {
  const stored: Slot = { address: ip("192.0.2.10"), portParams: PSID5 };

  it("REQUEST with 50 and the stored 159, no 54, ciaddr 0, U = 0; the ACK binds", () => {
    const d = new Driver();
    d.start({ reboot: stored });
    expect(d.machine.state).toBe("REBOOTING");
    const r = d.lastMessage;
    expect(typeOf(r)).toBe(DhcpMessageType.REQUEST);
    expect(requestedIpAddress(r)).toBe(stored.address);
    expect(portParams(r)).toEqual(PSID5);
    expect(has(r, 54)).toBe(false);
    expect(r.ciaddr).toBe(0);
    expect(d.last).toMatchObject({ unicast: false, to: "servers" });
    const actions = d.respond(ack(r, { portParams: PSID5 }));
    expect(d.of("bound", actions)[0]?.via).toBe("init-reboot");
  });

  it("a NAK loses the stored lease and restarts with DISCOVER", () => {
    const d = new Driver();
    d.start({ reboot: stored });
    const actions = d.respond(nak(d.lastMessage));
    expect(d.of("lease-lost", actions)[0]).toMatchObject({ reason: "nak", slot: stored });
    expect(typeOf(d.lastMessage)).toBe(DhcpMessageType.DISCOVER);
    expect(has(d.lastMessage, 50)).toBe(false);
  });

  it("silence (an unknown client, RFC 2131 §4.3.2) falls back to DISCOVER with the stored binding as a hint", () => {
    const d = new Driver();
    d.start({ reboot: stored });
    d.fire("retransmit");
    expect(typeOf(d.lastMessage)).toBe(DhcpMessageType.REQUEST);
    d.fire("retransmit");
    expect(d.machine.state).toBe("SELECTING");
    expect(typeOf(d.lastMessage)).toBe(DhcpMessageType.DISCOVER);
    expect(requestedIpAddress(d.lastMessage)).toBe(stored.address);
    expect(portParams(d.lastMessage)).toEqual(PSID5);
  });
});

describe("NAKs and giving up", () => {
  it("after more than maxRestarts consecutive NAKs the client gives up, reason nak", () => {
    const d = new Driver();
    d.start();
    let gaveUp: MachineAction[] = [];
    for (let i = 0; i < 4; i++) {
      d.respond(offer(d.lastMessage, { portParams: PSID5 }));
      gaveUp = d.respond(nak(d.lastMessage));
    }
    expect(d.of("gave-up", gaveUp)[0]).toMatchObject({ reason: "nak" });
    expect(d.machine.state).toBe("STOPPED");
    expect(d.sent.filter((s) => typeOf(s.dhcpv4) === DhcpMessageType.DISCOVER)).toHaveLength(4);
  });

  it("a NAK followed by silence gives up as NAKed", () => {
    const d = new Driver();
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    d.respond(nak(d.lastMessage));
    for (let i = 0; i < 4; i++) d.fire("retransmit");
    expect(d.of("gave-up").at(-1)).toMatchObject({ reason: "nak" });
  });
});

describe("offer choice (RFC 7618 §5) with several servers", () => {
  const two = (policy: Partial<MachineConfig["policy"]> = {}) =>
    new Driver(config({ respondersExpected: 2, policy: { preferShared: false, askedShared: true, requireBr: false, ...policy } }));

  it("a full-address offer is taken at once over a shared one that came first", () => {
    const d = two();
    d.start();
    const discover = d.lastMessage;
    d.respond(offer(discover, { yiaddr: ip("192.0.2.10"), portParams: PSID5 }), SERVER);
    expect(d.machine.state).toBe("SELECTING");
    d.respond(offer(discover, { yiaddr: ip("198.51.100.7"), serverId: SERVER_ID_B }), SERVER_B);
    expect(d.machine.state).toBe("REQUESTING");
    expect(requestedIpAddress(d.lastMessage)).toBe(ip("198.51.100.7"));
    expect(serverIdentifier(d.lastMessage)).toBe(SERVER_ID_B);
    expect(has(d.lastMessage, 159)).toBe(false);
  });

  it("--prefer-shared takes the shared offer with the larger port set once every server answered", () => {
    const d = two({ preferShared: true });
    d.start();
    const discover = d.lastMessage;
    d.respond(offer(discover, { yiaddr: ip("198.51.100.7") }), SERVER);
    d.respond(offer(discover, { yiaddr: ip("192.0.2.10"), serverId: SERVER_ID_B, portParams: { offset: 6, psidLength: 2, psid: 1 } }), SERVER_B);
    expect(d.machine.state).toBe("REQUESTING");
    expect(portParams(d.lastMessage)).toEqual({ offset: 6, psidLength: 2, psid: 1 });
  });

  it("when only one of two servers answers, the client chooses when the offer window closes", () => {
    const d = two({ preferShared: true });
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    expect(d.machine.state).toBe("SELECTING");
    expect(d.timers.has("retransmit")).toBe(false);
    expect(d.timers.get("offer-window")).toBe(d.now + 1000);
    d.fire("offer-window");
    expect(d.machine.state).toBe("REQUESTING");
  });

  it("an offer with a port set the client did not ask for is refused (RFC 7618 §8.1)", () => {
    const d = new Driver(config({ prefs: { shared: false }, policy: { preferShared: false, askedShared: false, requireBr: false } }));
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    expect(d.machine.state).toBe("SELECTING");
    expect(d.of("note")[0]?.text).toContain("RFC 7618 §8.1");
  });
});

describe("RFC 8539 softwire source", () => {
  const source = v6("2001:db8:2::c000:20a:5");
  const cfg = () => config({ prefs: { shared: true, softwireSource: source }, policy: { preferShared: false, askedShared: true, requireBr: true } });

  it("discards an OFFER without OPTION_S46_BR (90); sends 109 in the REQUEST but not in the DISCOVER; reports what the ACK returned", () => {
    const d = new Driver(cfg());
    d.start();
    expect(softwireSource(d.lastMessage)).toBeUndefined();
    d.respond(offer(d.lastMessage, { portParams: PSID5 }));
    expect(d.machine.state).toBe("SELECTING");
    expect(d.of("note")[0]?.text).toContain("RFC 8539 §7.1");
    d.respond(offer(d.lastMessage, { portParams: PSID5, dhcpv6: [br()] }));
    expect(d.machine.state).toBe("REQUESTING");
    expect(softwireSource(d.lastMessage)).toEqual(source);
    d.respond(ack(d.lastMessage, { portParams: PSID5, softwireSource: source }));
    expect(d.machine.lease?.softwire).toEqual({ sent: "2001:db8:2::c000:20a:5", returned: "2001:db8:2::c000:20a:5", br: "2001:db8:ffff::1" });
    d.fire("renew");
    expect(softwireSource(d.lastMessage)).toEqual(source);
  });

  it("the RELEASE carries no 109 (RFC 8539 §7.3)", () => {
    const d = new Driver(cfg());
    d.start();
    d.respond(offer(d.lastMessage, { portParams: PSID5, dhcpv6: [br()] }));
    d.respond(ack(d.lastMessage, { portParams: PSID5, softwireSource: source }));
    d.do({ kind: "release" });
    expect(has(d.lastMessage, 109)).toBe(false);
  });
});

describe("release", () => {
  it("RELEASE: ciaddr, 54, 61 and the held 159, no 50 or 55, secs 0, U = 1 to the server; no timers left", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5 });
    const actions = d.do({ kind: "release" });
    const m = d.lastMessage;
    expect(typeOf(m)).toBe(DhcpMessageType.RELEASE);
    expect(m.ciaddr).toBe(ip("192.0.2.10"));
    expect(serverIdentifier(m)).toBe(SERVER_ID);
    expect(portParams(m)).toEqual(PSID5);
    expect([...getDhcpv4Option(m, 61)!]).toEqual([...CLIENT_ID]);
    expect(optionCodes(m)).not.toContain(50);
    expect(optionCodes(m)).not.toContain(55);
    expect(m.secs).toBe(0);
    expect(d.last).toMatchObject({ unicast: true, to: SERVER });
    expect(d.of("released", actions)).toHaveLength(1);
    expect(d.machine.state).toBe("RELEASED");
    expect(d.timers.size).toBe(0);
  });

  it("before a binding exists, release just stops: nothing is sent", () => {
    const d = new Driver();
    d.start();
    d.do({ kind: "release" });
    expect(d.machine.state).toBe("STOPPED");
    expect(d.sent).toHaveLength(1);
    expect(d.timers.size).toBe(0);
  });

  it("timers that fire after the state moved on are ignored", () => {
    const d = new Driver();
    d.bind({ portParams: PSID5 });
    d.do({ kind: "release" });
    expect(d.do({ kind: "timer", timer: "renew" })).toEqual([]);
    expect(d.do({ kind: "timer", timer: "expire" })).toEqual([]);
  });
});
