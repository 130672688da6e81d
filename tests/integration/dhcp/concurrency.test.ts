// Many clients at once: 200 distinct clients doing DORA concurrently are all bound, and no
// (address, PSID) is granted twice — neither in the replies nor among the BOUND rows; then more
// clients than free slots race for the rest of the pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType } from "@/server/wire";
import { testBackends } from "../support/databases";
import { macOf, rfc4361ClientIdOf } from "../../support/test-client";
import { Harness, Multiplexer, grantOf, hex, leaseRows, muxDora, slotText, type Ask } from "./harness";

const backends = await testBackends();

// 16 addresses × 16 PSIDs = 256 port sets.
const POOLS = [{ name: "shared", kind: "shared", range: "192.0.2.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600 }];
const CAPACITY = 256;

describe.each(backends)("concurrent clients on %s", (backend) => {
  let h: Harness;
  let mux: Multiplexer;
  /** slot → client id, across both waves. */
  const granted = new Map<string, string>();

  beforeAll(async () => {
    mux = await Multiplexer.open();
    h = await Harness.start(backend, POOLS, { clientPort: mux.port });
  });
  afterAll(async () => {
    await h?.close();
    mux?.close();
  });

  /** Runs DORA for `clients` at once; returns the ACKed ones and how many got no OFFER. */
  async function wave(clients: Ask[], options?: { tries?: number; waitMs?: number }) {
    const results = await Promise.all(clients.map((c) => muxDora(mux, h.server.port, c, options)));
    let unanswered = 0;
    results.forEach((r, i) => {
      if (!r) {
        unanswered++;
        return;
      }
      expect(r.ack?.type, `client ${i}`).toBe(DhcpMessageType.ACK);
      const slot = slotText(grantOf(r.ack!));
      const id = hex(rfc4361ClientIdOf(clients[i]!.mac));
      expect(granted.get(slot), `pair ${slot} granted twice`).toBeUndefined();
      granted.set(slot, id);
      expect(slotText(grantOf(r.offer))).toBe(slot);
    });
    return { acked: results.filter((r) => r?.ack).length, unanswered };
  }

  /** The BOUND rows: one per granted pair, each the client it was granted to. */
  async function expectDatabaseAgrees() {
    const bound = (await leaseRows(h.db)).filter((r) => r.state === "BOUND");
    expect(bound).toHaveLength(granted.size);
    expect(new Set(bound.map((r) => `${r.address}/${r.psid}`)).size).toBe(bound.length);
    expect(new Set(bound.map((r) => r.clientId)).size).toBe(bound.length);
    for (const r of bound) expect(granted.get(`${r.address}/${r.psid}`)).toBe(r.clientId);
  }

  it("binds 200 clients doing DORA at once, each to its own (address, PSID)", async () => {
    const clients = [...Array(200).keys()].map((i) => ({ mac: macOf(20_000 + i), shared: true }));
    // Clients retransmit like DHCP clients do: a burst of 200 overflows the worker's default socket buffer.
    const { acked, unanswered } = await wave(clients, { tries: 5, waitMs: 500 });
    expect(unanswered).toBe(0);
    expect(acked).toBe(200);
    await expectDatabaseAgrees();
    // Addresses are shared: 200 clients on at most 16 addresses.
    expect(new Set([...granted.keys()].map((k) => k.split("/")[0])).size).toBeLessThanOrEqual(16);
  });

  it("hands the last free pairs to exactly as many of 100 racing clients, and none twice", async () => {
    const free = CAPACITY - granted.size;
    const clients = [...Array(100).keys()].map((i) => ({ mac: macOf(30_000 + i), shared: true }));
    const { acked, unanswered } = await wave(clients, { tries: 2, waitMs: 500 });
    expect(acked).toBe(free);
    expect(unanswered).toBe(100 - free);
    expect(granted.size).toBe(CAPACITY);
    await expectDatabaseAgrees();
  });
});
