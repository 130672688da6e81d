/**
 * The RFC 2131 client state machine (§4.4, Figure 5) for a 4o6 client with shared addresses:
 * INIT → SELECTING → REQUESTING → BOUND → RENEWING → REBINDING, and INIT-REBOOT → REBOOTING,
 * with RFC 7341 (U flag: RENEWING is "unicast", everything else "broadcast"), RFC 7618 (159 in
 * the PRL, echoed in REQUEST, held through renew and release; offer choice) and RFC 8539 (109).
 *
 * It is pure: events in (with the time), actions out. It never reads a clock, opens a socket or
 * touches a file — the session (session.ts) does that — so tests drive it at any speed.
 * It never probes an address (no ARP, RFC 7618 §7) and never falls back to an IPv4 link-local
 * address (RFC 7618 §7.1): when nothing can be had, it gives up and says why.
 */
import { clientIdentifier, dhcpMessageType, DhcpMessageType, formatIpv4, formatIpv6, leaseTime, messageText, serverIdentifier, type Dhcpv4Message } from "../wire";
import { extendRetransmitAt, retransmitDelay } from "./backoff";
import { leaseFromAck, leaseSchedule, leaseExpiresAt, type Lease, type TimerOverrides } from "./lease";
import {
  buildDiscover,
  buildExtendRequest,
  buildInitRebootRequest,
  buildRelease,
  buildSelectingRequest,
  clientIdentifierOf,
  type ClientIdentity,
  type RequestPreferences,
  type Slot,
} from "./messages";
import { chooseOffer, isUnbeatable, offerOf, offerProblem, type Offer, type OfferPolicy } from "./offer-choice";
import { formatEndpoint, type Endpoint, type ReceivedResponse } from "./transport";

export type ClientState = "INIT" | "SELECTING" | "REQUESTING" | "BOUND" | "RENEWING" | "REBINDING" | "INIT-REBOOT" | "REBOOTING" | "RELEASED" | "STOPPED";

/** The machine's timers; at most one of each is pending. */
export type TimerName = "retransmit" | "offer-window" | "renew" | "rebind" | "expire";

/** The state a binding was obtained or confirmed in. */
export type BindVia = "selecting" | "init-reboot" | "renewing" | "rebinding";

export interface MachineConfig {
  identity: ClientIdentity;
  prefs: RequestPreferences;
  policy: OfferPolicy;
  retransmit: {
    /** First wait in INIT/SELECTING/REQUESTING/REBOOTING (RFC 2131 §4.1: 4 s), doubled up to 64 s. */
    firstWaitMs: number;
    /** Transmissions of a DISCOVER or a SELECTING REQUEST before giving up on it. */
    attempts: number;
    /** Transmissions of an INIT-REBOOT REQUEST before falling back to DISCOVER. */
    rebootAttempts: number;
  };
  /** How long offers are collected after the first usable one arrives. */
  offerWindowMs: number;
  /**
   * How many servers the queries go to, when all are unicast: once that many have answered a
   * DISCOVER, the client chooses without waiting out the window. Undefined with multicast.
   */
  respondersExpected?: number;
  overrides?: TimerOverrides;
  /** Restarts from DISCOVER (after a NAK or an unanswered REQUEST) before giving up. */
  maxRestarts: number;
  random: () => number;
  newXid: () => number;
}

export type MachineEvent =
  /** Begin: INIT-REBOOT with a stored lease, or INIT (DISCOVER, optionally with a re-allocation hint). */
  | { kind: "start"; reboot?: Slot; hint?: Slot }
  | { kind: "response"; response: ReceivedResponse; from: Endpoint }
  | { kind: "timer"; timer: TimerName }
  /** Give the lease back (RELEASE) and stop; before a binding exists, just stop. */
  | { kind: "release" };

export type MachineAction =
  /** Send `dhcpv4` in a DHCPV4-QUERY with U = `unicast`, to every configured server or to one endpoint. */
  | { kind: "send"; label: string; dhcpv4: Dhcpv4Message; unicast: boolean; to: "servers" | Endpoint }
  | { kind: "set-timer"; timer: TimerName; at: number }
  | { kind: "cancel-timer"; timer: TimerName }
  | { kind: "state"; from: ClientState; to: ClientState }
  | { kind: "bound"; lease: Lease; via: BindVia; previous?: Lease }
  | { kind: "nak"; in: ClientState; serverId?: number; message?: string }
  /** The held (or stored) lease is gone: the client must stop using it. */
  | { kind: "lease-lost"; reason: "nak" | "expired"; slot: Slot }
  | { kind: "released"; lease: Lease }
  | { kind: "gave-up"; reason: "no-answer" | "nak"; detail: string }
  | { kind: "note"; text: string };

const BOUND_STATES: readonly ClientState[] = ["BOUND", "RENEWING", "REBINDING"];
const ALL_TIMERS: readonly TimerName[] = ["retransmit", "offer-window", "renew", "rebind", "expire"];

const TYPE_NAMES: Record<number, string> = { 2: "OFFER", 5: "ACK", 6: "NAK" };

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const slotText = (s: Slot) => `${formatIpv4(s.address)}${s.portParams ? ` PSID ${s.portParams.psid}` : ""}`;

export class LeaseStateMachine {
  private phase: ClientState = "INIT";
  private xid = 0;
  private attempt = 0;
  /** When the current exchange began (for `secs`). */
  private cycleStart = 0;
  private discoverSecs = 0;
  /** When the REQUEST being retransmitted was first sent (the lease starts then, RFC 2131 §4.4.1). */
  private requestSentAt = 0;
  private hint: Slot | undefined;
  private offers: Offer[] = [];
  private offerCount = 0;
  private readonly answered = new Set<string>();
  private chosen: Offer | undefined;
  private current: Lease | undefined;
  private rebootSlot: Slot | undefined;
  private restarts = 0;
  private lastNak: string | undefined;
  private readonly clientId: Uint8Array;
  private out: MachineAction[] = [];

  constructor(private readonly config: MachineConfig) {
    this.clientId = clientIdentifierOf(config.identity);
  }

  get state(): ClientState {
    return this.phase;
  }

  /** The lease held (BOUND, RENEWING, REBINDING), if any. */
  get lease(): Lease | undefined {
    return this.current;
  }

  /** Handles one event at time `now` (ms) and returns what to do. */
  handle(event: MachineEvent, now: number): MachineAction[] {
    this.out = [];
    switch (event.kind) {
      case "start":
        this.start(now, event.reboot, event.hint);
        break;
      case "response":
        this.onResponse(now, event.response, event.from);
        break;
      case "timer":
        this.onTimer(now, event.timer);
        break;
      case "release":
        this.release();
        break;
    }
    return this.out;
  }

  // --- helpers -----------------------------------------------------------------------------

  private emit(action: MachineAction): void {
    this.out.push(action);
  }

  private note(text: string): void {
    this.emit({ kind: "note", text });
  }

  private enter(to: ClientState): void {
    if (to !== this.phase) this.emit({ kind: "state", from: this.phase, to });
    this.phase = to;
  }

  private setTimer(timer: TimerName, at: number | undefined): void {
    if (at === undefined || !Number.isFinite(at)) this.emit({ kind: "cancel-timer", timer });
    else this.emit({ kind: "set-timer", timer, at });
  }

  private cancel(...timers: TimerName[]): void {
    for (const timer of timers) this.emit({ kind: "cancel-timer", timer });
  }

  private send(label: string, dhcpv4: Dhcpv4Message, unicast: boolean, to: "servers" | Endpoint): void {
    this.emit({ kind: "send", label, dhcpv4, unicast, to });
  }

  private backoff(now: number): number {
    return now + retransmitDelay(this.attempt, this.config.retransmit.firstWaitMs, this.config.random);
  }

  private secsSince(now: number): number {
    return Math.floor((now - this.cycleStart) / 1000);
  }

  // --- INIT / SELECTING ----------------------------------------------------------------------

  private start(now: number, reboot: Slot | undefined, hint: Slot | undefined): void {
    if (this.phase !== "INIT") return;
    if (reboot) {
      // RFC 2131 §3.2, §4.4.2; RFC 7618 §7: the stored (address, port set), no server id.
      this.enter("INIT-REBOOT");
      this.rebootSlot = reboot;
      this.xid = this.config.newXid();
      this.attempt = 0;
      this.cycleStart = now;
      this.requestSentAt = now;
      this.enter("REBOOTING");
      this.transmitRequest(now);
      return;
    }
    this.discover(now, hint);
  }

  /** INIT → SELECTING: a fresh DISCOVER. */
  private discover(now: number, hint: Slot | undefined): void {
    this.enter("INIT");
    this.cancel(...ALL_TIMERS);
    this.hint = hint;
    this.xid = this.config.newXid();
    this.attempt = 0;
    this.cycleStart = now;
    this.offers = [];
    this.answered.clear();
    this.chosen = undefined;
    this.enter("SELECTING");
    this.transmitDiscover(now);
  }

  private transmitDiscover(now: number): void {
    this.discoverSecs = this.secsSince(now);
    const message = buildDiscover(this.config.identity, this.config.prefs, { xid: this.xid, secs: this.discoverSecs }, this.hint);
    this.send("DISCOVER", message, false, "servers");
    this.setTimer("retransmit", this.backoff(now));
  }

  private onOffer(now: number, response: ReceivedResponse, from: Endpoint): void {
    this.answered.add(formatEndpoint(from));
    const offer = offerOf(response, from, this.offerCount++);
    const problem = offerProblem(offer, this.config.policy);
    if (problem) {
      this.note(`ignored OFFER of ${formatIpv4(offer.address)} from ${formatEndpoint(from)}: ${problem}`);
    } else {
      this.offers.push(offer);
      if (this.offers.length === 1) {
        // Offers are in: the window, not the retransmission timer, decides what happens next.
        this.cancel("retransmit");
        this.setTimer("offer-window", now + this.config.offerWindowMs);
      }
      if (isUnbeatable(offer, this.config.policy)) return this.select(now);
    }
    const expected = this.config.respondersExpected;
    if (this.offers.length > 0 && expected !== undefined && this.answered.size >= expected) this.select(now);
  }

  /** SELECTING → REQUESTING with the best offer (RFC 7618 §5). */
  private select(now: number): void {
    const chosen = chooseOffer(this.offers, this.config.policy);
    if (!chosen) return;
    this.chosen = chosen;
    this.cancel("offer-window", "retransmit");
    if (this.offers.length > 1) this.note(`chose ${slotText(chosen)} from ${formatEndpoint(chosen.from)} among ${this.offers.length} offers`);
    this.enter("REQUESTING");
    this.attempt = 0;
    this.requestSentAt = now;
    this.transmitRequest(now);
  }

  // --- REQUEST in every state --------------------------------------------------------------

  private transmitRequest(now: number): void {
    const { identity, prefs } = this.config;
    switch (this.phase) {
      case "REQUESTING": {
        const offer = this.chosen!;
        // RFC 2131 §4.4.1: same xid and secs as the DISCOVER, "broadcast" (U = 0) so every
        // server sees which one was chosen.
        const message = buildSelectingRequest(identity, prefs, { xid: this.xid, secs: this.discoverSecs }, offer);
        this.send("REQUEST (SELECTING)", message, false, "servers");
        this.setTimer("retransmit", this.backoff(now));
        return;
      }
      case "REBOOTING": {
        const message = buildInitRebootRequest(identity, prefs, { xid: this.xid, secs: this.secsSince(now) }, this.rebootSlot!);
        this.send("REQUEST (INIT-REBOOT)", message, false, "servers");
        this.setTimer("retransmit", this.backoff(now));
        return;
      }
      case "RENEWING": {
        const lease = this.current!;
        const message = buildExtendRequest(identity, prefs, { xid: this.xid, secs: this.secsSince(now) }, lease);
        // RFC 7341 §8: RENEWING would have been unicast to the server: U = 1, to the server that granted it.
        this.send("REQUEST (RENEWING)", message, true, lease.server);
        this.setTimer("retransmit", extendRetransmitAt(now, leaseSchedule(lease).rebindAt ?? leaseExpiresAt(lease)));
        return;
      }
      case "REBINDING": {
        const lease = this.current!;
        const message = buildExtendRequest(identity, prefs, { xid: this.xid, secs: this.secsSince(now) }, lease);
        // REBINDING is broadcast in IPv4: U = 0, to every server.
        this.send("REQUEST (REBINDING)", message, false, "servers");
        this.setTimer("retransmit", extendRetransmitAt(now, leaseExpiresAt(lease)));
        return;
      }
      default:
        return;
    }
  }

  // --- replies ------------------------------------------------------------------------------

  private onResponse(now: number, response: ReceivedResponse, from: Endpoint): void {
    const v4 = response.dhcpv4;
    const type = dhcpMessageType(v4);
    const name = (type !== undefined && TYPE_NAMES[type]) || `type ${type ?? "none"}`;
    if (v4.xid !== this.xid || !["SELECTING", "REQUESTING", "REBOOTING", "RENEWING", "REBINDING"].includes(this.phase)) {
      this.note(`ignored ${name} from ${formatEndpoint(from)}: xid 0x${v4.xid.toString(16)} is not pending in ${this.phase}`);
      return;
    }
    // RFC 6842 §3: a reply whose client identifier is not ours is not for us.
    const id = clientIdentifier(v4);
    if (id && !sameBytes(id, this.clientId)) {
      this.note(`ignored ${name} from ${formatEndpoint(from)}: another client's identifier`);
      return;
    }
    if (this.phase === "SELECTING") {
      if (type === DhcpMessageType.OFFER) this.onOffer(now, response, from);
      else this.note(`ignored ${name} from ${formatEndpoint(from)} while SELECTING`);
      return;
    }
    if (type === DhcpMessageType.OFFER) return; // late offers once a choice is made
    if (this.phase === "REQUESTING") {
      // The chosen server answers; others stay silent (RFC 2131 §4.3.2).
      const sid = serverIdentifier(v4);
      if (sid !== undefined && sid !== this.chosen!.serverId) {
        this.note(`ignored ${name} from server ${formatIpv4(sid)}: not the one chosen`);
        return;
      }
    }
    if (type === DhcpMessageType.ACK) this.onAck(now, response, from);
    else if (type === DhcpMessageType.NAK) this.onNak(now, v4);
    else this.note(`ignored ${name} from ${formatEndpoint(from)} in ${this.phase}`);
  }

  private onAck(now: number, response: ReceivedResponse, from: Endpoint): void {
    const ack = response.dhcpv4;
    const seconds = leaseTime(ack);
    if (ack.yiaddr === 0 || seconds === undefined || seconds === 0) {
      this.note(`ignored ACK from ${formatEndpoint(from)}: ${ack.yiaddr === 0 ? "no address" : "no lease time"}`);
      return;
    }
    const via: BindVia = this.phase === "REQUESTING" ? "selecting" : this.phase === "REBOOTING" ? "init-reboot" : this.phase === "RENEWING" ? "renewing" : "rebinding";
    const softwireSent = this.config.prefs.softwireSource;
    const lease = leaseFromAck(ack, {
      from,
      requestSentAt: this.requestSentAt,
      overrides: this.config.overrides,
      softwireSent: softwireSent ? formatIpv6(softwireSent) : undefined,
      dhcpv6Options: response.options,
    });
    // The BR and binding prefix may come only with the offer (or an earlier ACK): keep them.
    const earlier = via === "selecting" ? this.chosen : this.current?.softwire;
    if (lease.softwire && earlier) {
      lease.softwire.br ??= earlier.br;
      lease.softwire.bindPrefix ??= earlier.bindPrefix;
    }
    const previous = this.current;
    this.current = lease;
    this.rebootSlot = undefined;
    this.restarts = 0;
    this.lastNak = undefined;
    this.cancel("retransmit", "offer-window");
    this.enter("BOUND");
    // RFC 7618 §7: no ARP probe, no DECLINE: the binding is used as given.
    const schedule = leaseSchedule(lease);
    this.setTimer("renew", schedule.renewAt);
    this.setTimer("rebind", schedule.rebindAt);
    this.setTimer("expire", schedule.expiresAt);
    this.emit({ kind: "bound", lease, via, previous });
  }

  private onNak(now: number, nak: Dhcpv4Message): void {
    const from = this.phase;
    const message = messageText(nak);
    this.emit({ kind: "nak", in: from, serverId: serverIdentifier(nak), message });
    const lost = this.current ?? this.rebootSlot;
    if (lost && from !== "REQUESTING") this.emit({ kind: "lease-lost", reason: "nak", slot: { address: lost.address, portParams: lost.portParams } });
    this.current = undefined;
    this.rebootSlot = undefined;
    // RFC 2131 §3.1 step 5, §3.2 step 3: a NAK sends the client back to INIT, without a hint.
    this.restart(now, "nak", `DHCPNAK in ${from}${message ? `: ${message}` : ""}`, undefined);
  }

  /** Back to INIT after a failure; gives up after maxRestarts consecutive ones. */
  private restart(now: number, cause: "nak" | "no-answer", detail: string, hint: Slot | undefined): void {
    this.restarts++;
    if (cause === "nak") this.lastNak = detail;
    if (this.restarts > this.config.maxRestarts) return this.giveUp(detail);
    this.discover(now, hint);
  }

  private giveUp(detail: string): void {
    this.cancel(...ALL_TIMERS);
    this.enter("STOPPED");
    this.emit({ kind: "gave-up", reason: this.lastNak ? "nak" : "no-answer", detail: this.lastNak && this.lastNak !== detail ? `${detail} (after ${this.lastNak})` : detail });
  }

  // --- timers -------------------------------------------------------------------------------

  private onTimer(now: number, timer: TimerName): void {
    switch (timer) {
      case "offer-window":
        if (this.phase === "SELECTING") this.select(now);
        return;
      case "retransmit":
        return this.onRetransmit(now);
      case "renew":
        if (this.phase !== "BOUND") return;
        this.beginExtend(now, "RENEWING");
        return;
      case "rebind":
        if (this.phase !== "BOUND" && this.phase !== "RENEWING") return;
        this.beginExtend(now, "REBINDING");
        return;
      case "expire":
        return this.onExpire(now);
    }
  }

  private onRetransmit(now: number): void {
    const { attempts, rebootAttempts } = this.config.retransmit;
    switch (this.phase) {
      case "SELECTING":
        this.attempt++;
        if (this.attempt >= attempts) return this.giveUp(`no OFFER after ${attempts} DISCOVER${attempts === 1 ? "" : "s"}`);
        return this.transmitDiscover(now);
      case "REQUESTING":
        this.attempt++;
        if (this.attempt >= attempts) return this.restart(now, "no-answer", `no answer to ${attempts} REQUEST${attempts === 1 ? "" : "s"} for ${slotText(this.chosen!)}`, undefined);
        return this.transmitRequest(now);
      case "REBOOTING": {
        this.attempt++;
        if (this.attempt < rebootAttempts) return this.transmitRequest(now);
        // RFC 2131 §3.2: no answer to INIT-REBOOT — start over, asking for the same binding.
        const slot = this.rebootSlot!;
        this.note(`no answer to INIT-REBOOT for ${slotText(slot)}: DISCOVER with it as a hint`);
        this.rebootSlot = undefined;
        return this.discover(now, slot);
      }
      case "RENEWING":
      case "REBINDING":
        return this.transmitRequest(now);
      default:
        return;
    }
  }

  /** BOUND → RENEWING at T1, or → REBINDING at T2: a new exchange, a new xid. */
  private beginExtend(now: number, to: "RENEWING" | "REBINDING"): void {
    this.enter(to);
    this.xid = this.config.newXid();
    this.attempt = 0;
    this.cycleStart = now;
    this.requestSentAt = now;
    this.transmitRequest(now);
  }

  private onExpire(now: number): void {
    if (!BOUND_STATES.includes(this.phase) || !this.current) return;
    const lost = this.current;
    this.current = undefined;
    const slot: Slot = { address: lost.address, portParams: lost.portParams };
    // RFC 2131 §4.4.5: the lease is gone; stop using it and start over. RFC 7618 §7: the
    // DISCOVER may ask for the same (address, port set) again.
    this.emit({ kind: "lease-lost", reason: "expired", slot });
    this.discover(now, slot);
  }

  // --- release ------------------------------------------------------------------------------

  private release(): void {
    this.cancel(...ALL_TIMERS);
    const lease = this.current;
    if (!lease || !BOUND_STATES.includes(this.phase)) {
      this.enter("STOPPED");
      return;
    }
    // RFC 2131 §4.4.6: RELEASE goes to the server (U = 1); no reply is expected.
    const message = buildRelease(this.config.identity, this.config.newXid(), lease);
    this.send("RELEASE", message, true, lease.server);
    this.current = undefined;
    this.enter("RELEASED");
    this.emit({ kind: "released", lease });
  }
}
