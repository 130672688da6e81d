import { eachUsablePsid, usablePsids, WELL_KNOWN_PORTS } from "../psid";
import type { Pool } from "./pool-spec";
import { SlotIndex } from "./slot-index";

/**
 * A pool as the allocator sees it: its definition, the PSIDs it may hand out, and its free-slot
 * index. Slot s stands for address first + ⌊s / u⌋ with the (s mod u)-th usable PSID, where u is
 * the number of usable PSIDs (1 for a dedicated pool, whose PSID is always 0).
 */
export class PoolState {
  readonly usable: Int32Array;
  /** Position of each PSID among the usable ones, -1 when excluded. */
  private readonly positionOf: Int32Array;
  readonly addressCount: number;
  readonly index: SlotIndex;

  constructor(readonly pool: Pool) {
    this.addressCount = pool.lastAddress - pool.firstAddress + 1;
    if (pool.kind === "SHARED") {
      const layout = { offset: pool.psidOffset, psidLength: pool.psidLength };
      const usable = usablePsids(layout, {
        wellKnownPorts: pool.allowWellKnown ? null : WELL_KNOWN_PORTS,
        reservedPorts: pool.reservedPorts,
      });
      this.usable = Int32Array.from(eachUsablePsid(usable));
      this.positionOf = new Int32Array(usable.psidCount).fill(-1);
    } else {
      this.usable = Int32Array.of(0);
      this.positionOf = new Int32Array(1).fill(-1);
    }
    this.usable.forEach((psid, position) => (this.positionOf[psid] = position));
    this.index = new SlotIndex(this.addressCount * this.usable.length);
  }

  get id(): number {
    return this.pool.id;
  }

  get shared(): boolean {
    return this.pool.kind === "SHARED";
  }

  /** The slot of (address, PSID), or -1 when the pair is not one this pool hands out. */
  slotOf(address: number, psid: number): number {
    if (address < this.pool.firstAddress || address > this.pool.lastAddress) return -1;
    const position = psid >= 0 && psid < this.positionOf.length ? this.positionOf[psid]! : -1;
    if (position < 0) return -1;
    return (address - this.pool.firstAddress) * this.usable.length + position;
  }

  addressOf(slot: number): number {
    return this.pool.firstAddress + Math.floor(slot / this.usable.length);
  }

  psidOf(slot: number): number {
    return this.usable[slot % this.usable.length]!;
  }

  containsAddress(address: number): boolean {
    return address >= this.pool.firstAddress && address <= this.pool.lastAddress;
  }
}
