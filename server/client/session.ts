/**
 * One run of the client: the state machine (lease-state.ts) wired to a transport, a clock and
 * the lease file. It carries out the machine's actions — frames and sends queries, arms timers,
 * stores or forgets the lease — and reports every step as a SessionEvent.
 */
import { formatIpv6, parseIpv6, type Dhcpv4Message } from "../wire";
import { systemClock, type CancelTimer, type Clock } from "./clock";
import type { Lease, TimerOverrides } from "./lease";
import { leaseOfStored, readLeaseFile, rebootDecision, removeLeaseFile, storedLeaseOf, writeLeaseFile, type ClientSituation, type RebootDecision } from "./lease-file";
import { LeaseStateMachine, type BindVia, type ClientState, type MachineAction, type MachineEvent, type TimerName } from "./lease-state";
import { buildRelease, clientIdentifierOf, type ClientIdentity, type RequestPreferences } from "./messages";
import { FIRST_WAIT_MS } from "./backoff";
import { formatEndpoint, frameQuery, isMulticast, ResponseError, unframeResponse, type Endpoint, type Transport } from "./transport";

/** RFC 8539 §5: a softwire client asks for the BR address (90) and the binding prefix (137). */
export const SOFTWIRE_ORO: readonly number[] = [90, 137];

export interface SessionOptions {
  identity: ClientIdentity;
  prefs: RequestPreferences;
  /** RFC 7618 §5: take a shared address over a full one. */
  preferShared?: boolean;
  /** Where queries go ("servers" in the machine's actions). */
  servers: Endpoint[];
  transport: Transport;
  /** The client's IPv6 source address: the relays' peer-address and the lease file's key. */
  sourceAddress: string;
  relay?: { hops: number; linkAddress?: string; interfaceId?: Uint8Array };
  clock?: Clock;
  random?: () => number;
  retransmit?: { firstWaitMs?: number; attempts?: number; rebootAttempts?: number };
  offerWindowMs?: number;
  overrides?: TimerOverrides;
  maxRestarts?: number;
  /** File that keeps the lease between runs (INIT-REBOOT). */
  leaseFile?: string;
  /** "once": stop when bound; "hold": keep the lease until stop(). */
  mode: "once" | "hold";
  /** With "once": release right after binding. */
  releaseWhenBound?: boolean;
  onEvent?: (event: SessionEvent) => void;
}

export type SessionEvent =
  | { kind: "start"; decision: RebootDecision }
  | { kind: "sent"; label: string; to: Endpoint; unicast: boolean; relayHops: number }
  | { kind: "received"; from: Endpoint; bytes: number }
  /** What the state machine reports, passed on as it is. */
  | Extract<MachineAction, { kind: "state" | "bound" | "nak" | "lease-lost" | "released" | "gave-up" | "note" }>;

export type SessionOutcome =
  | { kind: "bound"; lease: Lease; via: BindVia }
  | { kind: "released"; lease: Lease }
  | { kind: "gave-up"; reason: "no-answer" | "nak"; detail: string }
  /** Stopped before any lease was held. */
  | { kind: "stopped" };

const DEFAULT_ATTEMPTS = 4;
const DEFAULT_REBOOT_ATTEMPTS = 2;
const DEFAULT_OFFER_WINDOW_MS = 1000;
const DEFAULT_MAX_RESTARTS = 3;

const randomXid = () => Math.floor(Math.random() * 0x100000000) >>> 0;

export class ClientSession {
  readonly machine: LeaseStateMachine;
  private readonly clock: Clock;
  private readonly timers = new Map<TimerName, CancelTimer>();
  private readonly sends = new Set<Promise<void>>();
  private readonly situation: ClientSituation;
  private readonly peerAddress: Uint8Array;
  private readonly oro: readonly number[];
  private removeListener: (() => void) | undefined;
  private settle: ((outcome: SessionOutcome) => void) | undefined;
  private readonly outcome: Promise<SessionOutcome>;
  private finished = false;
  private lastBinding: { lease: Lease; via: BindVia } | undefined;

  constructor(private readonly options: SessionOptions) {
    this.clock = options.clock ?? systemClock;
    const prefs = options.prefs;
    this.oro = prefs.softwireSource ? SOFTWIRE_ORO : [];
    this.peerAddress = parseIpv6(options.sourceAddress) ?? new Uint8Array(16);
    this.situation = {
      clientId: Buffer.from(clientIdentifierOf(options.identity)).toString("hex"),
      sourceAddress: options.sourceAddress,
      softwireSource: prefs.softwireSource ? formatIpv6(prefs.softwireSource) : undefined,
    };
    const allUnicast = options.servers.every((s) => !isMulticast(s.address));
    this.machine = new LeaseStateMachine({
      identity: options.identity,
      prefs,
      policy: { preferShared: options.preferShared ?? false, askedShared: prefs.shared, requireBr: prefs.softwireSource !== undefined },
      retransmit: {
        firstWaitMs: options.retransmit?.firstWaitMs ?? FIRST_WAIT_MS,
        attempts: options.retransmit?.attempts ?? DEFAULT_ATTEMPTS,
        rebootAttempts: options.retransmit?.rebootAttempts ?? DEFAULT_REBOOT_ATTEMPTS,
      },
      offerWindowMs: options.offerWindowMs ?? DEFAULT_OFFER_WINDOW_MS,
      respondersExpected: allUnicast ? new Set(options.servers.map(formatEndpoint)).size : undefined,
      overrides: options.overrides,
      maxRestarts: options.maxRestarts ?? DEFAULT_MAX_RESTARTS,
      random: options.random ?? Math.random,
      newXid: randomXid,
    });
    this.outcome = new Promise((resolve) => (this.settle = resolve));
  }

  get state(): ClientState {
    return this.machine.state;
  }

  get lease(): Lease | undefined {
    return this.machine.lease;
  }

  /** The client identifier (hex) and IPv6 source this session runs with. */
  get clientSituation(): ClientSituation {
    return this.situation;
  }

  /** Starts the exchange (INIT-REBOOT from the lease file when allowed, else DISCOVER) and resolves with how it ended. */
  run(): Promise<SessionOutcome> {
    if (!this.removeListener) {
      this.removeListener = this.options.transport.onDatagram((bytes, from) => this.onDatagram(bytes, from));
      const decision = this.decide();
      this.report({ kind: "start", decision });
      this.dispatch(decision.kind === "init-reboot" ? { kind: "start", reboot: decision.slot } : { kind: "start", hint: decision.hint });
    }
    return this.outcome;
  }

  /** Releases the lease held (RELEASE) or, without one, just stops; resolves once the RELEASE is on the wire. */
  async stop(): Promise<SessionOutcome> {
    if (!this.finished) this.dispatch({ kind: "release" });
    if (!this.finished) this.finish({ kind: "stopped" });
    await this.flush();
    return this.outcome;
  }

  /** Waits for the datagrams being sent. */
  async flush(): Promise<void> {
    while (this.sends.size > 0) await Promise.allSettled([...this.sends]);
  }

  private decide(): RebootDecision {
    const file = this.options.leaseFile;
    if (!file) return { kind: "discover", reason: "no lease file" };
    try {
      return rebootDecision(readLeaseFile(file), this.situation, this.clock.now());
    } catch (error) {
      return { kind: "discover", reason: (error as Error).message };
    }
  }

  private report(event: SessionEvent): void {
    this.options.onEvent?.(event);
  }

  private onDatagram(bytes: Uint8Array, from: Endpoint): void {
    if (this.finished) return;
    this.report({ kind: "received", from, bytes: bytes.length });
    try {
      const response = unframeResponse(bytes);
      this.dispatch({ kind: "response", response, from });
    } catch (error) {
      if (!(error instanceof ResponseError)) throw error;
      this.report({ kind: "note", text: `ignored datagram from ${formatEndpoint(from)}: ${error.message}` });
    }
  }

  private dispatch(event: MachineEvent): void {
    const actions = this.machine.handle(event, this.clock.now());
    for (const action of actions) this.apply(action);
  }

  private apply(action: MachineAction): void {
    switch (action.kind) {
      case "send":
        return this.send(action.label, action.dhcpv4, action.unicast, action.to);
      case "set-timer": {
        this.timers.get(action.timer)?.();
        const cancel = this.clock.setTimer(action.at - this.clock.now(), () => {
          this.timers.delete(action.timer);
          if (!this.finished) this.dispatch({ kind: "timer", timer: action.timer });
        });
        this.timers.set(action.timer, cancel);
        return;
      }
      case "cancel-timer":
        this.timers.get(action.timer)?.();
        this.timers.delete(action.timer);
        return;
      case "state":
        return this.report(action);
      case "note":
        return this.report(action);
      case "nak":
        return this.report(action);
      case "bound": {
        this.lastBinding = { lease: action.lease, via: action.via };
        if (this.options.leaseFile) this.store(() => writeLeaseFile(this.options.leaseFile!, storedLeaseOf(action.lease, this.situation)));
        this.report(action);
        if (this.options.mode === "once") {
          if (this.options.releaseWhenBound) this.dispatch({ kind: "release" });
          else this.finish({ kind: "bound", lease: action.lease, via: action.via });
        }
        return;
      }
      case "lease-lost":
        if (this.options.leaseFile) this.store(() => removeLeaseFile(this.options.leaseFile!));
        return this.report(action);
      case "released":
        if (this.options.leaseFile) this.store(() => removeLeaseFile(this.options.leaseFile!));
        this.report(action);
        return this.finish({ kind: "released", lease: action.lease });
      case "gave-up":
        this.report(action);
        return this.finish({ kind: "gave-up", reason: action.reason, detail: action.detail });
    }
  }

  private store(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.report({ kind: "note", text: `lease file ${this.options.leaseFile}: ${(error as Error).message}` });
    }
  }

  private send(label: string, dhcpv4: Dhcpv4Message, unicast: boolean, to: "servers" | Endpoint): void {
    const transport = this.options.transport;
    const relay = this.options.relay;
    const bytes = frameQuery(dhcpv4, unicast, this.oro, {
      relayHops: relay?.hops ?? 0,
      linkAddress: (relay?.linkAddress && parseIpv6(relay.linkAddress)) || new Uint8Array(16),
      peerAddress: this.peerAddress,
      interfaceId: relay?.interfaceId,
      localPort: transport.localPort,
    });
    for (const target of to === "servers" ? this.options.servers : [to]) {
      this.report({ kind: "sent", label, to: target, unicast, relayHops: relay?.hops ?? 0 });
      const sending = transport.send(bytes, target).catch((error: Error) => {
        this.report({ kind: "note", text: `could not send ${label} to ${formatEndpoint(target)}: ${error.message}` });
      });
      this.sends.add(sending);
      void sending.finally(() => this.sends.delete(sending));
    }
  }

  private finish(outcome: SessionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.removeListener?.();
    this.settle?.(outcome);
  }

  /** The last binding reported (kept after the session ends). */
  get lastBound(): { lease: Lease; via: BindVia } | undefined {
    return this.lastBinding;
  }
}

/**
 * Releases the lease stored in `leaseFile` without a new exchange (`--release` on its own):
 * RELEASE with ciaddr, 54, 61 and the stored 159 to the server that granted it, then the file is
 * removed. Returns the released lease, or undefined when the file holds none.
 */
export async function releaseStoredLease(options: {
  identity: ClientIdentity;
  transport: Transport;
  leaseFile: string;
  sourceAddress: string;
  relay?: SessionOptions["relay"];
}): Promise<Lease | undefined> {
  const stored = readLeaseFile(options.leaseFile);
  if (!stored) return undefined;
  const clientId = Buffer.from(clientIdentifierOf(options.identity)).toString("hex");
  if (stored.clientId !== clientId) throw new Error(`the lease in ${options.leaseFile} belongs to another client identifier (${stored.clientId})`);
  const lease = leaseOfStored(stored);
  const message = buildRelease(options.identity, randomXid(), lease);
  const bytes = frameQuery(message, true, [], {
    relayHops: options.relay?.hops ?? 0,
    linkAddress: (options.relay?.linkAddress && parseIpv6(options.relay.linkAddress)) || new Uint8Array(16),
    peerAddress: parseIpv6(options.sourceAddress) ?? new Uint8Array(16),
    interfaceId: options.relay?.interfaceId,
    localPort: options.transport.localPort,
  });
  await options.transport.send(bytes, lease.server);
  removeLeaseFile(options.leaseFile);
  return lease;
}
