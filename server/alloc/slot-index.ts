/**
 * The free-slot index of one pool: one bit per slot (address × usable PSID, or address for a
 * dedicated pool), set when the slot is taken (live lease, quarantine, reservation). A second
 * level keeps one bit per 32-slot word that is completely taken, so a search skips full
 * regions 1024 slots at a time. 4M slots cost 512 KiB + 16 KiB.
 *
 * It only proposes: the database's unique (address, PSID) key decides (architecture.md).
 */
export class SlotIndex {
  private readonly words: Uint32Array;
  private readonly fullWords: Uint32Array;
  private taken = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.fullWords = new Uint32Array(Math.ceil(this.words.length / 32));
    // Bits past the end are permanently taken, so searches never return them.
    const tail = size % 32;
    if (tail !== 0) this.setWord(this.words.length - 1, ~((1 << tail) - 1) >>> 0);
  }

  get takenCount(): number {
    return this.taken;
  }

  get freeCount(): number {
    return this.size - this.taken;
  }

  isTaken(slot: number): boolean {
    return ((this.words[slot >>> 5]! >>> (slot & 31)) & 1) === 1;
  }

  /** Marks a slot taken; returns false if it already was. */
  take(slot: number): boolean {
    if (slot < 0 || slot >= this.size || this.isTaken(slot)) return false;
    const w = slot >>> 5;
    this.setWord(w, (this.words[w]! | (1 << (slot & 31))) >>> 0);
    this.taken++;
    return true;
  }

  /** Marks a slot free; returns false if it already was. */
  free(slot: number): boolean {
    if (slot < 0 || slot >= this.size || !this.isTaken(slot)) return false;
    const w = slot >>> 5;
    this.setWord(w, (this.words[w]! & ~(1 << (slot & 31))) >>> 0);
    this.taken--;
    return true;
  }

  /**
   * The first free slot at or after `start`, wrapping around once; -1 when the pool is full.
   * Workers start from different points so that concurrent workers rarely propose the same slot.
   */
  findFree(start = 0): number {
    if (this.taken >= this.size) return -1;
    const from = start >= 0 && start < this.size ? start : 0;
    const found = this.scan(from, this.size);
    return found >= 0 ? found : this.scan(0, from);
  }

  private scan(from: number, to: number): number {
    let w = from >>> 5;
    const lastWord = (to - 1) >>> 5;
    // Only the bits at or after `from` count in the first word.
    let mask = ~((1 << (from & 31)) - 1) >>> 0;
    while (w <= lastWord) {
      const group = w >>> 5;
      if ((w & 31) === 0 && this.fullWords[group] === 0xffffffff) {
        w += 32;
        mask = 0xffffffff;
        continue;
      }
      const free = ~this.words[w]! & mask;
      if (free !== 0) {
        const slot = (w << 5) + (31 - Math.clz32(free & -free));
        return slot < to ? slot : -1;
      }
      w++;
      mask = 0xffffffff;
    }
    return -1;
  }

  private setWord(w: number, value: number): void {
    this.words[w] = value;
    const group = w >>> 5;
    const bit = 1 << (w & 31);
    this.fullWords[group] = value === 0xffffffff ? (this.fullWords[group]! | bit) >>> 0 : (this.fullWords[group]! & ~bit) >>> 0;
  }
}
