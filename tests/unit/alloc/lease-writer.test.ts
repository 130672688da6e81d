import { describe, expect, it } from "vitest";
import type { LeaseRecord } from "@/server/alloc/lease-record";
import type { LeaseStore } from "@/server/alloc/lease-store";
import { LeaseWriter, type LeaseWrite, type WriteOutcome } from "@/server/alloc/lease-writer";

/** A store that records what each group held and when, answering after a delay per group. */
class RecordingStore implements LeaseStore {
  groups: { writes: LeaseWrite[]; start: number; end: number }[] = [];
  active = 0;
  maxActive = 0;
  private clock = 0;
  failNext = false;

  constructor(readonly concurrentCommits: number) {}

  async commit(writes: readonly LeaseWrite[]): Promise<WriteOutcome[]> {
    const group = { writes: [...writes], start: this.clock++, end: -1 };
    this.groups.push(group);
    this.maxActive = Math.max(this.maxActive, ++this.active);
    await new Promise((resolve) => setTimeout(resolve, 1 + (this.groups.length % 3)));
    this.active--;
    group.end = this.clock++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk full");
    }
    return writes.map((w, i) => ({ committed: true, leaseId: w.kind === "end" ? w.leaseId : i + 1, startedAt: w.now }));
  }

  leasesOfClient(): Promise<LeaseRecord[]> {
    return Promise.resolve([]);
  }

  leaseAtSlot(): Promise<LeaseRecord | undefined> {
    return Promise.resolve(undefined);
  }
}

const claim = (address: number, psid: number, clientId: string): LeaseWrite => ({
  kind: "claim", poolId: 1, address, psid, state: "BOUND", clientId, hwAddress: null, ipv6Address: null, softwireSource: false,
  relayInfo: null, startedAt: new Date(0), expiresAt: new Date(3_600_000), now: new Date(0), fromState: null, actor: "client:REQUEST",
});

describe("LeaseWriter (group commit)", () => {
  it("groups writes submitted together, settles each after its group, and is idle after the last", async () => {
    const store = new RecordingStore(1);
    const writer = new LeaseWriter(store);
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => writer.submit(claim(0x0a000000 + i, 0, `c${i}`))));
    expect(outcomes.every((o) => o.committed)).toBe(true);
    expect(store.groups.length).toBeLessThan(5);
    await writer.idle();
    expect(store.active).toBe(0);
  });

  it("never commits more groups at once than the store allows, nor one slot in two groups at once, and keeps a slot's order", async () => {
    const store = new RecordingStore(3);
    const writer = new LeaseWriter(store);
    const submitted: Promise<WriteOutcome>[] = [];
    // Ten clients hammer five slots, in waves, beside writes to fresh slots, so groups overlap and slots repeat.
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 10; i++) submitted.push(writer.submit(claim(0x0a000000 + (i % 5), 0, `wave${wave}-c${i}`)));
      for (let i = 0; i < 10; i++) submitted.push(writer.submit(claim(0x0b000000 + wave * 10 + i, 0, `fresh${wave}-${i}`)));
      await new Promise((resolve) => setTimeout(resolve, wave % 4));
    }
    await Promise.all(submitted);
    await writer.idle();
    expect(store.maxActive).toBeGreaterThan(1);
    expect(store.maxActive).toBeLessThanOrEqual(3);
    // Per slot: groups holding it never overlap in time, and its writes commit in submission order.
    for (let slot = 0; slot < 5; slot++) {
      const holding = store.groups.filter((g) => g.writes.some((w) => w.kind === "claim" && w.address === 0x0a000000 + slot));
      for (let i = 1; i < holding.length; i++) expect(holding[i]!.start).toBeGreaterThan(holding[i - 1]!.end);
      const order = holding.flatMap((g) => g.writes.filter((w) => w.kind === "claim" && w.address === 0x0a000000 + slot).map((w) => w.clientId));
      const expected = Array.from({ length: 20 }, (_, wave) => [`wave${wave}-c${slot}`, `wave${wave}-c${slot + 5}`]).flat();
      expect(order).toEqual(expected);
      // At most one write per slot in a group (a multi-row upsert may touch a row once).
      for (const g of holding) expect(g.writes.filter((w) => w.kind === "claim" && w.address === 0x0a000000 + slot)).toHaveLength(1);
    }
  });

  it("rejects the writes of a failed group only, and goes on with the next", async () => {
    const store = new RecordingStore(1);
    const writer = new LeaseWriter(store);
    store.failNext = true;
    const first = writer.submit(claim(0x0a000001, 0, "a"));
    await expect(first).rejects.toThrow("disk full");
    await expect(writer.submit(claim(0x0a000001, 0, "a"))).resolves.toMatchObject({ committed: true });
    await writer.idle();
  });
});
