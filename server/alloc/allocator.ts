import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { Database, DatabaseConfig } from "../db";
import { leaseChanges } from "./change-signal";
import { DatabaseUnavailable } from "./database-unavailable";
import { holdsSlot, isLive, slotKey, type LeaseRecord, type LeaseState } from "./lease-record";
import { leasesAfter, recordFromRow, type LeaseRow } from "./lease-sql";
import { openLeaseStore, type LeaseStore } from "./lease-store";
import { LeaseWriter, type SlotClaim } from "./lease-writer";
import { onPoolsChanged } from "./pool-changes";
import { selectPools, type PoolSelector } from "./pool-selection";
import { poolFromRow, type Pool } from "./pool-spec";
import { PoolState } from "./pool-state";
import { quarantineEnd } from "./quarantine";

/** Who is asking, as the protocol handler learned it from the query. */
export interface ClientIdentity {
  /** Client identifier (option 61) as lowercase hex, or "01" + chaddr for clients without one. */
  clientId: string;
  hwAddress: string | null;
  /** RFC 8539 softwire source when sent, else the client's IPv6 address. */
  ipv6Address: string | null;
  /** Whether ipv6Address is an RFC 8539 softwire source (option 109). */
  softwireSource: boolean;
  /** The relay chain as JSON, for the console. */
  relayInfo: string | null;
}

/** A slot: (address, PSID); PSID null for a dedicated address. */
export interface SlotRequest {
  address: number;
  psid: number | null;
}

/** What an OFFER or ACK tells the client. */
export interface Binding {
  leaseId: number;
  pool: Pool;
  address: number;
  /** Numeric PSID; null for a dedicated address. */
  psid: number | null;
  state: "OFFERED" | "BOUND";
  startedAt: Date;
  expiresAt: Date;
}

/** The outcome of a DHCPREQUEST for a slot. */
export type ConfirmResult =
  | { kind: "bound"; binding: Binding }
  /** The client may not have this slot (another client's, revoked, not in its pools): NAK. */
  | { kind: "refused"; reason: string }
  /** No record of this client on this slot (RFC 2131 §4.3.2 decides between NAK and silence). */
  | { kind: "no-record" };

export interface AllocatorOptions {
  db: Database;
  provider: DatabaseConfig["provider"];
  /** Distinguishes workers on one database; each prefers its own region of every pool. */
  workerId: string;
  /** How long an offered slot is held for the client's REQUEST. */
  offerHoldSeconds?: number;
  /** How often expired leases and offers are swept. */
  sweepIntervalSeconds?: number;
  /** How often the pool table is checked for changes made by other processes. */
  poolRefreshSeconds?: number;
  /**
   * Other workers write to the same database (PostgreSQL scale-out): look a client's lease up in
   * the database when memory has none, since another worker may have made it.
   */
  sharedDatabase?: boolean;
  /** RFC 7618 §10: caps on live leases per client identifier and per subscriber IPv6 prefix (0 = none). */
  limits?: LeaseLimits;
  log?: { warn(message: string): void; info(message: string): void };
  now?: () => number;
}

export interface LeaseLimits {
  perClient?: number;
  perPrefix?: number;
  /** Length of the subscriber prefix that perPrefix counts by (a /56 is a typical residential delegation). */
  prefixLength?: number;
}

const CLAIM_RETRIES = 8;

/** Slots read from the database after a claim lost to another worker (sharedDatabase). */
const LEARN_SLOTS = 1024;

/** A slot held by an offer or a binding, and for how long (epoch ms). */
interface Held {
  address: number;
  psid: number;
  state: "OFFERED" | "BOUND";
  startedAt: number;
  expiresAt: number;
}

/**
 * The allocation engine: pools, the free-slot indexes, the live lease set and the lease state
 * machine. It keeps an in-memory copy of the lease table so the common path reads nothing from
 * the database, and writes every change through the group-committing LeaseWriter before the
 * caller may answer the client.
 */
export class Allocator {
  private pools = new Map<number, PoolState>();
  private poolOrder: PoolState[] = [];
  private readonly bySlot = new Map<number, LeaseRecord>();
  /** Each client's records (usually one); the current one is picked by leaseOf(). */
  private readonly byClient = new Map<string, LeaseRecord[]>();
  /** Softwire source (option 109) → lease; entries are checked on read, so stale ones are harmless. */
  private readonly bySoftwire = new Map<string, LeaseRecord>();
  /** Records per subscriber prefix, for the RFC 7618 §10 cap (liveness checked on read). */
  private readonly byPrefix = new Map<string, Set<LeaseRecord>>();
  /** clientId → reserved slot, and the reserved slots themselves (never given to others). */
  private reservations = new Map<string, { poolId: number; address: number; psid: number }>();
  private reservedSlots = new Set<number>();
  /** Next-fit cursors per pool, starting in this worker's region. */
  private readonly cursors = new Map<number, number>();
  private readonly clientQueues = new Map<string, Promise<unknown>>();
  private readonly writer: LeaseWriter;
  private readonly unsubscribe: (() => void)[] = [];
  private sweepTimer?: NodeJS.Timeout;
  private poolPollTimer?: NodeJS.Timeout;
  /** What the pool and reservation tables looked like at the last load. */
  private poolsFingerprint = "";
  private readonly now: () => number;
  private readonly regionStart: number;

  private constructor(
    private readonly options: AllocatorOptions,
    private readonly store: LeaseStore,
  ) {
    this.writer = new LeaseWriter(store);
    this.now = options.now ?? Date.now;
    this.regionStart = createHash("sha256").update(options.workerId).digest().readUInt32BE(0) / 2 ** 32;
  }

  /** Loads pools, reservations and leases, and starts the expiry sweep. */
  static async start(options: AllocatorOptions): Promise<Allocator> {
    const allocator = new Allocator(options, await openLeaseStore(options.db));
    await allocator.loadPools();
    await allocator.loadAllLeases();
    allocator.unsubscribe.push(
      onPoolsChanged(() => void allocator.reloadPools().catch((e: Error) => allocator.options.log?.warn(`pool reload failed: ${e.message}`))),
      leaseChanges.subscribe((ids) => void allocator.reloadLeases(ids).catch((e: Error) => allocator.options.log?.warn(`lease reload failed: ${e.message}`))),
    );
    const interval = (options.sweepIntervalSeconds ?? 5) * 1000;
    allocator.sweepTimer = setInterval(() => void allocator.sweep().catch((e: Error) => allocator.options.log?.warn(`expiry sweep failed: ${e.message}`)), interval);
    allocator.sweepTimer.unref();
    // Pools edited by a console in another process reach this worker within a few seconds.
    allocator.poolPollTimer = setInterval(
      () => void allocator.reloadPoolsIfChanged().catch((e: Error) => allocator.options.log?.warn(`pool refresh failed: ${e.message}`)),
      (options.poolRefreshSeconds ?? 3) * 1000,
    );
    allocator.poolPollTimer.unref();
    return allocator;
  }

  /** Stops the sweep and waits for pending commits. */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearInterval(this.poolPollTimer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    await this.writer.idle();
  }

  get leaseWriter(): LeaseWriter {
    return this.writer;
  }

  /** Enabled pools that serve this client (protocol.md §3.7), split by kind, in configuration order. */
  poolsFor(selector: PoolSelector): { shared: PoolState[]; dedicated: PoolState[] } {
    const chosen = selectPools(this.poolOrder, selector);
    return { shared: chosen.filter((p) => p.shared), dedicated: chosen.filter((p) => !p.shared) };
  }

  /** The client's newest lease record, whatever its state. */
  leaseOf(clientId: string): LeaseRecord | undefined {
    // The live one wins over ended ones; among ended ones, the newest.
    const records = this.byClient.get(clientId);
    if (!records) return undefined;
    const now = this.now();
    let best: LeaseRecord | undefined;
    for (const r of records) {
      if (!best || (isLive(r, now) && !isLive(best, now)) || (isLive(r, now) === isLive(best, now) && r.startedAt >= best.startedAt)) best = r;
    }
    return best;
  }

  /**
   * The live lease of another client that uses this softwire source (RFC 8539 §8.2: the source
   * must be unique among active leases).
   */
  softwireHolder(ipv6Address: string, exceptClientId: string): LeaseRecord | undefined {
    const record = this.bySoftwire.get(ipv6Address);
    const held = record && record.softwireSource && record.ipv6Address === ipv6Address && isLive(record, this.now());
    return held && record.clientId !== exceptClientId ? record : undefined;
  }

  /** Who holds a slot now, as this worker knows it (its offers live in memory only: see offerInMemory). */
  holderOf(address: number, psid: number): LeaseRecord | undefined {
    const record = this.bySlot.get(slotKey(address, psid));
    return record && holdsSlot(record, this.now()) ? record : undefined;
  }

  /** The pool that owns an address, if any. */
  poolOfAddress(address: number): PoolState | undefined {
    return this.poolOrder.find((p) => p.containsAddress(address));
  }

  /**
   * DISCOVER: a slot for the client from `candidates`, held as an offer. RFC 7618 §8 / RFC 2131
   * §4.3.1 order: the current binding, the previous one if still free, a reservation, the
   * client's hint, a new slot. Null when every candidate pool is full.
   */
  offer(client: ClientIdentity, candidates: readonly PoolState[], hint?: SlotRequest): Promise<Binding | null> {
    return this.serialized(client.clientId, async () => {
      const now = this.now();
      if (this.options.sharedDatabase && !this.byClient.has(client.clientId)) await this.learn(this.store.leasesOfClient(client.clientId));
      const existing = this.leaseOf(client.clientId);
      const existingPool = existing && candidates.find((p) => p.id === existing.poolId);

      if (existing && existingPool && isLive(existing, now)) {
        // A bound client that starts over is offered its binding as it stands (no write).
        if (existing.state === "BOUND") return this.bindingOf(existing, existingPool);
        const held = await this.claim(client, existingPool, existing.address, existing.psid, "OFFERED", now);
        if (held || !this.options.sharedDatabase) return held;
        // Refused: another worker bound our offer meanwhile (the client's REQUEST went there, and
        // its ACK was lost), and the refusal re-read the row. Offer that binding as it stands.
        const row = this.bySlot.get(slotKey(existing.address, existing.psid));
        return row && row.clientId === client.clientId && row.state === "BOUND" && isLive(row, now) ? this.bindingOf(row, existingPool) : null;
      }
      const tries: { pool: PoolState; address: number; psid: number }[] = [];
      // RFC 2131 §4.3.1 / RFC 7618 §8 step 2: the previous pair of an ended binding, if still free.
      // An offer or binding whose time ran out has ended too, whether or not the expiry sweep has
      // marked it EXPIRED yet; only revoked and declined pairs are never handed back.
      if (existing && existingPool && existing.state !== "REVOKED" && existing.state !== "DECLINED") {
        tries.push({ pool: existingPool, address: existing.address, psid: existing.psid });
      }
      const reserved = this.reservations.get(client.clientId);
      const reservedPool = reserved && candidates.find((p) => p.id === reserved.poolId);
      if (reserved && reservedPool) tries.push({ pool: reservedPool, address: reserved.address, psid: reserved.psid });
      if (hint) {
        const pool = candidates.find((p) => p.containsAddress(hint.address));
        if (pool) tries.push({ pool, address: hint.address, psid: pool.shared ? (hint.psid ?? -1) : 0 });
      }
      for (const t of tries) {
        if (!this.slotFreeFor(client.clientId, t.pool, t.address, t.psid, now)) continue;
        const binding = await this.claim(client, t.pool, t.address, t.psid, "OFFERED", now);
        if (binding) return binding;
      }
      const limit = this.limitReached(client, now);
      if (limit) {
        this.options.log?.info(`no new lease for client ${client.clientId}: ${limit}`);
        return null;
      }
      return this.claimNew(client, candidates, now);
    });
  }

  /** Which RFC 7618 §10 cap a new lease for this client would exceed, if any. */
  private limitReached(client: ClientIdentity, now: number): string | null {
    const limits = this.options.limits ?? {};
    if (limits.perClient) {
      const live = this.liveLeasesOf(client.clientId, now);
      if (live >= limits.perClient) return `${live} live leases for this client identifier (limit ${limits.perClient})`;
    }
    const prefix = limits.perPrefix ? subscriberPrefix(client.ipv6Address, limits.prefixLength ?? 56) : null;
    if (prefix && limits.perPrefix) {
      const live = [...(this.byPrefix.get(prefix) ?? [])].filter((r) => isLive(r, now) && subscriberPrefix(r.ipv6Address, limits.prefixLength ?? 56) === prefix).length;
      if (live >= limits.perPrefix) return `${live} live leases for subscriber prefix ${prefix} (limit ${limits.perPrefix})`;
    }
    return null;
  }

  private liveLeasesOf(clientId: string, now: number): number {
    return (this.byClient.get(clientId) ?? []).filter((r) => isLive(r, now)).length;
  }

  /**
   * DHCPREQUEST for a slot (SELECTING, INIT-REBOOT, RENEWING or REBINDING): binds or extends it
   * if it is this client's and it may have it from `candidates`.
   */
  confirm(client: ClientIdentity, candidates: readonly PoolState[], request: SlotRequest, options: { allowNew?: boolean } = {}): Promise<ConfirmResult> {
    return this.serialized(client.clientId, async () => {
      const now = this.now();
      const pool = this.poolOfAddress(request.address);
      if (!pool) return { kind: "refused", reason: "address is not in any pool" };
      if (!candidates.includes(pool)) return { kind: "refused", reason: `pool ${pool.pool.name} does not serve this client` };
      const psid = pool.shared ? request.psid : 0;
      if (psid === null) return { kind: "refused", reason: "shared address requested without its port set (option 159)" };
      if (pool.slotOf(request.address, psid) < 0) return { kind: "refused", reason: `PSID ${psid} is not one this pool hands out` };

      let record = this.bySlot.get(slotKey(request.address, psid));
      if (this.options.sharedDatabase && (!record || record.clientId !== client.clientId)) {
        // Another worker may have offered or bound this slot (a DISCOVER here, a REQUEST there).
        await this.learn(this.store.leaseAtSlot(request.address, psid));
        record = this.bySlot.get(slotKey(request.address, psid));
      }
      if (!record || record.clientId !== client.clientId) {
        if (record && holdsSlot(record, now)) return { kind: "refused", reason: "slot belongs to another client" };
        // A SELECTING client whose offer lapsed may still have the slot while it is free.
        if (!options.allowNew || !this.slotFreeFor(client.clientId, pool, request.address, psid, now)) return { kind: "no-record" };
        const binding = await this.claim(client, pool, request.address, psid, "BOUND", now);
        return binding ? { kind: "bound", binding } : { kind: "refused", reason: "slot was taken by another worker" };
      }
      if (record.state === "REVOKED" || record.state === "DECLINED") {
        return { kind: "refused", reason: record.state === "REVOKED" ? "lease was revoked" : "lease was declined" };
      }
      if ((record.state === "RELEASED" || record.state === "EXPIRED") && !this.slotFreeFor(client.clientId, pool, request.address, psid, now)) {
        return { kind: "refused", reason: "slot is no longer free" };
      }
      const binding = await this.claim(client, pool, request.address, psid, "BOUND", now);
      return binding ? { kind: "bound", binding } : { kind: "refused", reason: "slot was taken by another worker" };
    });
  }

  /** DHCPRELEASE: frees the client's slot. False when there is no live lease of this client there. */
  release(client: ClientIdentity, slot: SlotRequest): Promise<boolean> {
    return this.end(client, slot, "RELEASED", `client:RELEASE`);
  }

  /** DHCPDECLINE: quarantines only this (address, PSID) pair (protocol.md §4.4). */
  decline(client: ClientIdentity, slot: SlotRequest): Promise<boolean> {
    return this.end(client, slot, "DECLINED", `client:DECLINE`);
  }

  /** A SELECTING REQUEST that names another server: the client turned our offer down (RFC 2131 §3.1 item 4). */
  abandonOffer(client: ClientIdentity): Promise<boolean> {
    const record = this.leaseOf(client.clientId);
    if (!record || record.state !== "OFFERED") return Promise.resolve(false);
    return this.end(client, { address: record.address, psid: record.psid }, "RELEASED", "client:REQUEST", "offer declined for another server");
  }

  /** Expires offers and bindings past their time, and ends quarantines. Returns how many leases expired. */
  async sweep(): Promise<number> {
    const now = this.now();
    const expiring: LeaseRecord[] = [];
    let expired = 0;
    for (const record of this.bySlot.values()) {
      if ((record.state === "OFFERED" || record.state === "BOUND") && record.expiresAt <= now) {
        if (record.id !== 0) expiring.push(record);
        else {
          this.dropOffer(record, "EXPIRED"); // an offer in memory only
          expired++;
        }
      } else if ((record.state === "DECLINED" || record.state === "REVOKED") && (record.quarantineUntil ?? 0) <= now) this.releaseSlot(record);
    }
    const results = await Promise.all(
      expiring.map((record) =>
        this.writer.submit({
          kind: "end", leaseId: record.id, clientId: record.clientId, state: "EXPIRED", quarantineUntil: null,
          now: new Date(now), fromState: record.state, actor: "system:expiry",
          detail: record.state === "OFFERED" ? "offer not taken up" : undefined,
        }).then((outcome) => ({ record, outcome })),
      ),
    );
    for (const { record, outcome } of results) {
      if (outcome.committed) {
        record.state = "EXPIRED";
        this.releaseSlot(record);
        expired++;
      } else {
        await this.reloadLeases([record.id]); // changed elsewhere (renewed by another worker)
      }
    }
    return expired;
  }

  /** Slots per enabled pool, and how many are taken (metrics). */
  poolUsage(): { poolId: number; name: string; kind: Pool["kind"]; addresses: number; slots: number; taken: number }[] {
    return this.poolOrder.map((p) => ({
      poolId: p.id, name: p.pool.name, kind: p.pool.kind, addresses: p.addressCount, slots: p.index.size, taken: p.index.takenCount,
    }));
  }

  // --- internals -------------------------------------------------------------------------

  /** Runs one client's operations one at a time (a retransmitted DISCOVER must not get two offers). */
  private serialized<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.clientQueues.get(clientId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.clientQueues.set(clientId, tail);
    void tail.then(() => {
      if (this.clientQueues.get(clientId) === tail) this.clientQueues.delete(clientId);
    });
    return next;
  }

  private slotFreeFor(clientId: string, pool: PoolState, address: number, psid: number, now: number): boolean {
    const slot = pool.slotOf(address, psid);
    if (slot < 0) return false;
    const key = slotKey(address, psid);
    const reservedFor = this.reservedSlots.has(key) ? this.reservations.get(clientId) : undefined;
    if (this.reservedSlots.has(key) && !(reservedFor && slotKey(reservedFor.address, reservedFor.psid) === key)) return false;
    const record = this.bySlot.get(key);
    if (!record) return !pool.index.isTaken(slot) || this.reservedSlots.has(key);
    if (record.clientId === clientId) return record.state !== "REVOKED" && record.state !== "DECLINED" ? true : !holdsSlot(record, now);
    return !holdsSlot(record, now);
  }

  /** A new slot from the first candidate pool with room; retries when another worker won the slot. */
  private async claimNew(client: ClientIdentity, candidates: readonly PoolState[], now: number): Promise<Binding | null> {
    for (const pool of candidates) {
      for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
        const slot = pool.index.findFree(this.cursorOf(pool));
        if (slot < 0) break;
        this.cursors.set(pool.id, slot + 1);
        const binding = await this.claim(client, pool, pool.addressOf(slot), pool.psidOf(slot), "OFFERED", now);
        if (binding) return binding;
        if (this.options.sharedDatabase) {
          // Lost to another worker: our cursor has run into the stretch it fills, and following
          // it would lose every race from here on. Move to another part of the pool, and read
          // that stretch first (one query) so the next tries skip what others already hold.
          const elsewhere = Math.floor(Math.random() * pool.index.size);
          this.cursors.set(pool.id, elsewhere);
          await this.learnTakenAfter(pool, elsewhere);
        }
      }
    }
    return null;
  }

  /** Reads the rows of the LEARN_SLOTS slots from `slot` on (one address range) and marks the ones held. */
  private async learnTakenAfter(pool: PoolState, slot: number): Promise<void> {
    const first = pool.addressOf(slot);
    const last = Math.min(pool.pool.lastAddress, first + Math.ceil(LEARN_SLOTS / pool.usable.length) - 1);
    await this.loadLeasesWhere({ addressRange: [first, last] });
  }

  private cursorOf(pool: PoolState): number {
    let cursor = this.cursors.get(pool.id);
    if (cursor === undefined) {
      cursor = Math.floor(this.regionStart * pool.index.size);
      this.cursors.set(pool.id, cursor);
    }
    return cursor;
  }

  /**
   * Writes an offer or binding for the slot and mirrors it in memory once committed. The slot's
   * bit is taken before the write so no other client of this process is offered it meanwhile.
   * Null when the database refused (the slot is someone else's); throws when the write failed.
   */
  private async claim(client: ClientIdentity, pool: PoolState, address: number, psid: number, state: "OFFERED" | "BOUND", now: number): Promise<Binding | null> {
    const slot = pool.slotOf(address, psid);
    const key = slotKey(address, psid);
    const previous = this.bySlot.get(key);
    const tookBit = pool.index.take(slot);
    const seconds = state === "OFFERED" ? (this.options.offerHoldSeconds ?? 60) : pool.pool.leaseTime;
    const expiresAt = now + seconds * 1000;
    if (state === "OFFERED" && !this.options.sharedDatabase) return this.offerInMemory(client, pool, { address, psid, startedAt: now, expiresAt }, previous);
    const write: SlotClaim = {
      kind: "claim",
      poolId: pool.id,
      address,
      psid,
      state,
      clientId: client.clientId,
      hwAddress: client.hwAddress,
      ipv6Address: client.ipv6Address,
      softwireSource: client.softwireSource,
      relayInfo: client.relayInfo,
      startedAt: new Date(now),
      expiresAt: new Date(expiresAt),
      now: new Date(now),
      fromState: previous && previous.clientId === client.clientId ? previous.state : null,
      actor: state === "OFFERED" ? "client:DISCOVER" : "client:REQUEST",
    };
    let outcome;
    try {
      outcome = await this.writer.submit(write);
    } catch (error) {
      if (tookBit) pool.index.free(slot);
      throw new DatabaseUnavailable(error);
    }
    if (!outcome.committed) {
      // Another worker holds the slot; our bit stays set so we do not propose it again.
      this.options.log?.info(`slot ${address}/${psid} of pool ${pool.pool.name} was taken by another worker`);
      // Learn the row that won (its client, state, expiry): the sweep then frees the bit when that
      // lease ends, and the caller sees whose slot it is.
      if (this.options.sharedDatabase) await this.learn(this.store.leaseAtSlot(address, psid));
      return null;
    }
    const record = this.recordOf(client, pool, { address, psid, state, startedAt: outcome.startedAt.getTime(), expiresAt }, outcome.leaseId);
    this.remember(record);
    return this.bindingOf(record, pool);
  }

  /**
   * With no other worker on the database, this process's index is the only allocator, so an
   * offer, which promises nothing durable, lives in memory only: the slot's bit keeps it from
   * everyone else until the REQUEST binds it (one write, the ACK's, which never leaves before its
   * commit) or the hold runs out. A restart forgets it; the client's REQUEST then binds the slot
   * if it is still free (confirm's allowNew), else the client starts over with a DISCOVER.
   */
  private offerInMemory(client: ClientIdentity, pool: PoolState, slot: Omit<Held, "state">, previous: LeaseRecord | undefined): Binding {
    const record = this.recordOf(client, pool, { ...slot, state: "OFFERED" }, 0);
    if (previous && previous.id !== 0) record.displaced = previous;
    this.remember(record);
    return this.bindingOf(record, pool);
  }

  /** An in-memory offer ends (lapsed, released, turned down): the slot goes back to its previous row, or to no one. */
  private dropOffer(record: LeaseRecord, state: "EXPIRED" | "RELEASED"): void {
    record.state = state;
    if (this.bySlot.get(slotKey(record.address, record.psid)) === record && record.displaced) this.remember(record.displaced);
    this.releaseSlot(record);
  }

  private recordOf(client: ClientIdentity, pool: PoolState, held: Held, id: number): LeaseRecord {
    return {
      id,
      poolId: pool.id,
      address: held.address,
      psid: held.psid,
      state: held.state,
      clientId: client.clientId,
      ipv6Address: client.ipv6Address,
      softwireSource: client.softwireSource,
      startedAt: held.startedAt,
      expiresAt: held.expiresAt,
      quarantineUntil: null,
    };
  }

  private async end(client: ClientIdentity, slot: SlotRequest, state: "RELEASED" | "DECLINED", actor: string, detail?: string): Promise<boolean> {
    return this.serialized(client.clientId, async () => {
      const now = this.now();
      const record = this.findClientRecord(client.clientId, slot);
      if (!record || !isLive(record, now)) return false;
      if (record.id === 0) {
        this.dropOffer(record, "RELEASED"); // an offer in memory only: nothing to write
        return true;
      }
      const quarantineUntil = state === "DECLINED" ? quarantineEnd(new Date(record.expiresAt), new Date(now)) : null;
      const outcome = await this.writer
        .submit({ kind: "end", leaseId: record.id, clientId: record.clientId, state, quarantineUntil, now: new Date(now), fromState: record.state, actor, detail })
        .catch((error: unknown) => {
          throw new DatabaseUnavailable(error);
        });
      if (!outcome.committed) return false;
      record.state = state;
      record.quarantineUntil = quarantineUntil?.getTime() ?? null;
      if (state === "RELEASED") this.releaseSlot(record);
      return true;
    });
  }

  /** The client's record for a slot: by (address, PSID), or by address alone when no PSID was sent. */
  private findClientRecord(clientId: string, slot: SlotRequest): LeaseRecord | undefined {
    if (slot.psid !== null) {
      const record = this.bySlot.get(slotKey(slot.address, slot.psid));
      return record?.clientId === clientId ? record : undefined;
    }
    // RELEASE without option 159 (protocol.md §4.4): client-id + ciaddr find the single lease.
    const record = this.leaseOf(clientId);
    return record && record.address === slot.address ? record : undefined;
  }

  /** Drops a record that another one replaced at its slot from the per-client and per-prefix sets. */
  private forget(record: LeaseRecord): void {
    const records = this.byClient.get(record.clientId);
    if (records) {
      const at = records.indexOf(record);
      if (at >= 0) records.splice(at, 1);
      if (records.length === 0) this.byClient.delete(record.clientId);
    }
    const limits = this.options.limits;
    const prefix = limits?.perPrefix ? subscriberPrefix(record.ipv6Address, limits.prefixLength ?? 56) : null;
    if (prefix) this.byPrefix.get(prefix)?.delete(record);
  }

  private remember(record: LeaseRecord): void {
    const key = slotKey(record.address, record.psid);
    const replaced = this.bySlot.get(key);
    if (replaced && replaced !== record) this.forget(replaced);
    this.bySlot.set(key, record);
    const records = this.byClient.get(record.clientId);
    if (!records) this.byClient.set(record.clientId, [record]);
    else if (!records.includes(record)) {
      // A reload of the same lease replaces its old copy.
      const same = records.findIndex((r) => r.id === record.id && record.id !== 0);
      if (same >= 0) records[same] = record;
      else records.push(record);
    }
    const prefix = this.options.limits?.perPrefix ? subscriberPrefix(record.ipv6Address, this.options.limits.prefixLength ?? 56) : null;
    if (prefix) addTo(this.byPrefix, prefix, record);
    if (record.softwireSource && record.ipv6Address) this.bySoftwire.set(record.ipv6Address, record);
  }

  /** Frees a slot's bit, unless it is reserved for a client. */
  private releaseSlot(record: LeaseRecord): void {
    const pool = this.pools.get(record.poolId);
    if (!pool || this.reservedSlots.has(slotKey(record.address, record.psid))) return;
    const slot = pool.slotOf(record.address, record.psid);
    if (slot >= 0) pool.index.free(slot);
  }

  private bindingOf(record: LeaseRecord, pool: PoolState): Binding {
    return {
      leaseId: record.id,
      pool: pool.pool,
      address: record.address,
      psid: pool.shared ? record.psid : null,
      state: record.state as "OFFERED" | "BOUND",
      startedAt: new Date(record.startedAt),
      expiresAt: new Date(record.expiresAt),
    };
  }

  // --- loading ---------------------------------------------------------------------------

  private async loadPools(): Promise<void> {
    this.poolsFingerprint = await this.fingerprint();
    const rows = await this.options.db.pool.findMany({ where: { enabled: true }, orderBy: { id: "asc" } });
    const previous = this.pools;
    this.pools = new Map();
    for (const row of rows) {
      const pool = poolFromRow(row);
      const old = previous.get(pool.id);
      // Keep the index of an unchanged pool; rebuild the others.
      this.pools.set(pool.id, old && old.pool.updatedAt.getTime() === pool.updatedAt.getTime() ? old : new PoolState(pool));
    }
    this.poolOrder = [...this.pools.values()];
    const reservations = await this.options.db.reservation.findMany();
    this.reservations = new Map(reservations.map((r) => [r.clientId, { poolId: r.poolId, address: Number(r.address), psid: r.psid }]));
    this.reservedSlots = new Set(reservations.map((r) => slotKey(Number(r.address), r.psid)));
    for (const pool of this.poolOrder) {
      if (previous.get(pool.id) === pool) continue;
      this.cursors.delete(pool.id);
      for (const r of this.reservations.values()) if (r.poolId === pool.id) this.markTaken(pool, r.address, r.psid);
    }
  }

  /** A cheap summary of the pool and reservation tables; a change means a reload. */
  private async fingerprint(): Promise<string> {
    const [pools, reservations] = await Promise.all([
      this.options.db.pool.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
      this.options.db.reservation.aggregate({ _count: { _all: true }, _max: { id: true } }),
    ]);
    return `${pools._count._all}/${pools._max.updatedAt?.getTime() ?? 0}/${reservations._count._all}/${reservations._max.id ?? 0}`;
  }

  private async reloadPoolsIfChanged(): Promise<void> {
    if ((await this.fingerprint()) !== this.poolsFingerprint) await this.reloadPools();
  }

  private async reloadPools(): Promise<void> {
    const before = new Set(this.poolOrder);
    await this.loadPools();
    const now = this.now();
    // Mark the live slots of rebuilt pools.
    for (const record of this.bySlot.values()) {
      const pool = this.pools.get(record.poolId);
      if (pool && !before.has(pool) && holdsSlot(record, now)) this.markTaken(pool, record.address, record.psid);
    }
  }

  private markTaken(pool: PoolState, address: number, psid: number): void {
    const slot = pool.slotOf(address, psid);
    if (slot >= 0) pool.index.take(slot);
  }

  private loadLeases(ids?: readonly number[]): Promise<LeaseRecord[]> {
    return this.loadLeasesWhere(ids ? { id: { in: [...ids] } } : undefined);
  }

  private async loadLeasesWhere(
    where?: { id?: { in: number[] }; addressRange?: [number, number] },
  ): Promise<LeaseRecord[]> {
    const { addressRange, ...by } = where ?? {};
    const address = addressRange ? { gte: BigInt(addressRange[0]), lte: BigInt(addressRange[1]) } : undefined;
    const rows = await this.options.db.lease.findMany({
      where: where && { ...by, address },
      select: {
        id: true, poolId: true, address: true, psid: true, state: true, clientId: true,
        ipv6Address: true, softwireSource: true, startedAt: true, expiresAt: true, quarantineUntil: true,
      },
      orderBy: { startedAt: "asc" },
    }).catch((error: unknown) => {
      // A lookup on the way to a reply: the exchange is dropped and counted, like a failed commit.
      throw new DatabaseUnavailable(error);
    });
    return rows.map((row) => this.admit({
        id: row.id,
        poolId: row.poolId,
        address: Number(row.address),
        psid: row.psid,
        state: row.state as LeaseState,
        clientId: row.clientId,
        ipv6Address: row.ipv6Address,
        softwireSource: row.softwireSource,
        startedAt: row.startedAt.getTime(),
        expiresAt: row.expiresAt.getTime(),
        quarantineUntil: row.quarantineUntil?.getTime() ?? null,
      }),
    );
  }

  /**
   * Takes into memory what a hot-path lookup found (leases another worker made). A failed lookup
   * drops the exchange and is counted, like a failed commit.
   */
  private async learn(lookup: Promise<LeaseRecord | LeaseRecord[] | undefined>): Promise<void> {
    const found = await lookup.catch((error: unknown) => {
      throw new DatabaseUnavailable(error);
    });
    for (const record of Array.isArray(found) ? found : found ? [found] : []) this.admit(record);
  }

  /** Takes a lease read from the database into memory and sets its slot's bit. */
  private admit(record: LeaseRecord): LeaseRecord {
    const old = this.bySlot.get(slotKey(record.address, record.psid));
    this.remember(record);
    const pool = this.pools.get(record.poolId);
    if (pool && holdsSlot(record, this.now())) this.markTaken(pool, record.address, record.psid);
    else if (old) this.releaseSlot(record);
    return record;
  }

  /**
   * Start-up: the whole lease table, in id order and in chunks through one raw statement (a
   * model query per row would make a million leases take minutes; toolchain.md §2.5).
   */
  private async loadAllLeases(): Promise<void> {
    for (let after = 0; ; ) {
      const { sql: text, params } = leasesAfter(this.options.provider, after, 20_000);
      const [{ chunk }] = await this.options.db.$queryRawUnsafe<[{ chunk: string }]>(text, ...params);
      const rows = JSON.parse(chunk) as LeaseRow[];
      if (rows.length === 0) return;
      for (const row of rows) this.admit(recordFromRow(row));
      after = rows[rows.length - 1]![0];
    }
  }

  /** Re-reads leases changed elsewhere (an operator's revoke, another worker). */
  async reloadLeases(ids: readonly number[]): Promise<void> {
    // In slices: a bulk revoke may name thousands, and SQLite limits the parameters of one query.
    for (let i = 0; i < ids.length; i += 1000) await this.loadLeases(ids.slice(i, i + 1000));
  }
}

function addTo<K>(map: Map<K, Set<LeaseRecord>>, key: K, record: LeaseRecord): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(record);
}

/** The subscriber's IPv6 prefix of the given length, as text ("2001:db8:1:200::/56"); null without an address. */
export function subscriberPrefix(ipv6Address: string | null, length: number): string | null {
  if (!ipv6Address) return null;
  try {
    const parsed = ipaddr.IPv6.parse(ipv6Address.split("%")[0]!);
    // A link-local address says nothing about the subscriber line (every link has fe80::/10).
    if (parsed.range() === "linkLocal") return null;
    const bytes = parsed.toByteArray();
    for (let bit = length; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return `${ipaddr.fromByteArray(bytes).toString()}/${length}`;
  } catch {
    return null;
  }
}

export type { PoolSelector } from "./pool-selection";
export type { PoolState } from "./pool-state";
