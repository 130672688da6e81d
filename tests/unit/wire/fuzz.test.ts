/**
 * Robustness: well over 100,000 random and mutated packets through every decoder. Each
 * decode must return a value or throw DecodeError; nothing else may escape. Timings are
 * measured and reported (decodes over 1 ms are counted), not asserted.
 */
import { describe, expect, test } from "vitest";
import {
  DecodeError,
  clientIdentifier,
  decodeDhcp4oDhcp6Servers,
  decodeOptionRequest,
  decodeRelayPort,
  decodeS46BindIpv6Prefix,
  decodeS46Br,
  decodeS46ContLw,
  decodeS46PortParams,
  decodeS46V4V6Bind,
  dhcpMessageType,
  domainNameServers,
  leaseTime,
  maxMessageSize,
  messageText,
  parameterRequestList,
  portParams,
  rebindingTime,
  renewalTime,
  requestedIpAddress,
  routers,
  serverIdentifier,
  softwireSource,
  subnetMask,
  type Dhcpv4Message,
  type Dhcpv6Message,
  type Dhcpv6Option,
  decodeDhcp4o6Request,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  type DecodeErrorCode,
} from "../../../server/wire/index";
import { toHex } from "./helpers";
import { nestedRelays, rawDhcpv4, rawQuery, rawRelay, v6Option } from "./raw";
import { TV1, TV2, TV5, TV7, TV8, VECTORS } from "./vectors";
import { prng } from "../../support/prng";


const SEED = 0x7341;
const MUTATED = 80_000;
const RANDOM = 30_000;
const CODES: ReadonlySet<DecodeErrorCode> = new Set<DecodeErrorCode>([
  "truncated", "bad-length", "bad-value", "bad-cookie", "bad-overload", "too-deep", "missing-option", "duplicate-option", "unexpected-message",
]);

function seedCorpus(): Uint8Array[] {
  const inner = [TV1, TV2, TV5, TV7, TV8].map((b) => b.subarray(8));
  inner[3] = TV7.subarray(16);
  const overloaded = rawDhcpv4([52, 1, 3, 53, 1, 1, 61, 3, 1, 2, 3, 255], (h) => {
    h.set([61, 2, 4, 5, 55, 3, 1, 3, 159, 255], 108);
    h.set([159, 4, 6, 4, 0x50, 0, 109, 16, ...new Array<number>(16).fill(1), 255], 44);
  });
  const overloadLoop = rawDhcpv4([52, 1, 3, 255], (h) => {
    h.set([52, 1, 3, 52, 1, 1, 255], 108);
    h.set([52, 1, 2, 255], 44);
  });
  const longOptions = encodeDhcpv4Message({
    ...decodeDhcpv4Message(inner[0]!),
    options: [{ code: 53, data: Uint8Array.of(1) }, { code: 224, data: new Uint8Array(700).fill(9) }, { code: 61, data: new Uint8Array(300).fill(3) }],
  });
  const containers = rawQuery([
    ...v6Option(6, [0, 90, 0, 137]),
    ...v6Option(96, [...v6Option(92, [192, 0, 2, 1, 64, 0x20, 1, 0x0d, 0xb8, 0, 2, 0, 0, ...v6Option(93, [6, 4, 0x50, 0])]), ...v6Option(90, new Array<number>(16).fill(2))]),
    ...v6Option(137, [64, 0x20, 1, 0x0d, 0xb8, 0, 2, 0, 0]),
    ...v6Option(87, inner[0]!),
  ]);
  return [
    ...Object.values(VECTORS),
    ...inner,
    overloaded,
    overloadLoop,
    longOptions,
    rawQuery(v6Option(87, overloaded)),
    rawQuery(v6Option(87, overloadLoop)),
    rawQuery(v6Option(87, longOptions)),
    containers,
    nestedRelays(TV1, 32),
    nestedRelays(TV1, 33),
    nestedRelays(TV1, 40),
    rawRelay(12, 0, [...v6Option(18, [1, 2]), ...v6Option(135, [2, 3]), ...v6Option(9, TV1), ...v6Option(37, [9])]),
  ];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function randomBytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/**
 * Near-64 KiB packets made of the smallest options: the most per-option work a single UDP
 * datagram can ask for (not mutated: they are the worst case as they are).
 */
function largestPackets(): Uint8Array[] {
  const v4: number[] = [];
  for (let i = 0; v4.length < 65000; i++) v4.push(200 + (i % 50), 1, i & 0xff); // 21,667 instances, 50 codes joined
  const v6: number[] = [];
  while (v6.length < 65000) v6.push(0xff, 0x00, 0, 0); // 16,250 empty options
  const v4Packet = rawDhcpv4(v4);
  return [v4Packet, rawQuery(v6), nestedRelays(rawQuery(v6.slice(0, 64000)), 32), rawQuery(v6Option(87, v4Packet.subarray(0, 65000)))];
}

function mutate(r: () => number, corpus: Uint8Array[]): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number) => Math.floor(r() * n);
  let b: Uint8Array = pick(corpus).slice();
  const rounds = 1 + int(3);
  for (let k = 0; k < rounds; k++) {
    const at = b.length === 0 ? 0 : int(b.length);
    switch (int(10)) {
      case 0: // truncation
        b = b.slice(0, int(b.length + 1));
        break;
      case 1: // bit flips
        for (let i = 1 + int(8); i > 0 && b.length > 0; i--) b[int(b.length)]! ^= 1 << int(8);
        break;
      case 2: // one byte to an edge value
        if (b.length > 0) b[at] = pick([0, 1, 9, 52, 87, 0x7f, 0x80, 0xfe, 0xff, int(256)]);
        break;
      case 3: // a length field pointing far past the end (or to 0)
        if (b.length > 1) {
          const v = pick([0xffff, 0xff00, 0x00ff, 0, int(0x10000), b.length - at, b.length - at + 1]);
          b[at] = (v >> 8) & 0xff;
          if (at + 1 < b.length) b[at + 1] = v & 0xff;
        }
        break;
      case 4: { // insert random bytes
        b = concat(b.subarray(0, at), randomBytes(r, 1 + int(16)), b.subarray(at));
        break;
      }
      case 5: // delete a range
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(32))));
        break;
      case 6: { // duplicate a slice in place
        const end = Math.min(b.length, at + 1 + int(64));
        b = concat(b.subarray(0, end), b.subarray(at, end), b.subarray(end));
        break;
      }
      case 7: { // splice two corpus entries
        const other = pick(corpus);
        b = concat(b.subarray(0, at), other.subarray(int(other.length + 1)));
        break;
      }
      case 8: // wrap in relays, up to 45 deep
        b = nestedRelays(b, int(46));
        break;
      case 9: // make a DHCPv4-shaped buffer overload its fields with option soup
        if (b.length >= 243) {
          b[240] = 52;
          b[241] = 1;
          b[242] = pick([1, 2, 3, 0, 4]);
          for (let i = 44; i < 236; i++) b[i] = r() < 0.5 ? pick([0, 52, 255, 53, 1, 3]) : int(256);
        }
        break;
    }
  }
  return b;
}

function randomPacket(r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const shape = int(4);
  if (shape === 0) return randomBytes(r, int(8)); // tiny
  if (shape === 1) {
    // DHCPv4-shaped: random header, real cookie, random options
    const b = randomBytes(r, 240 + int(400));
    b.set([0x63, 0x82, 0x53, 0x63], 236);
    b[2] = int(20);
    return b;
  }
  const b = randomBytes(r, int(shape === 2 ? 80 : 700));
  if (b.length > 0) b[0] = [12, 13, 20, 21, 1, 7, int(256)][int(7)]!;
  return b;
}

/** Every typed accessor of a decoded DHCPv4 message (they must never throw). */
function readEveryDhcpv4Field(m: Dhcpv4Message): void {
  for (const get of [dhcpMessageType, requestedIpAddress, leaseTime, serverIdentifier, parameterRequestList, messageText, maxMessageSize, renewalTime, rebindingTime, clientIdentifier, subnetMask, routers, domainNameServers, portParams, softwireSource]) {
    get(m);
  }
}

const V6_DECODERS: Record<number, (data: Uint8Array) => unknown> = {
  6: decodeOptionRequest,
  88: decodeDhcp4oDhcp6Servers,
  90: decodeS46Br,
  92: decodeS46V4V6Bind,
  93: decodeS46PortParams,
  96: decodeS46ContLw,
  135: decodeRelayPort,
  137: decodeS46BindIpv6Prefix,
};

/** Every typed decoder on every option of a decoded DHCPv6 message (they must never throw). */
function readEveryDhcpv6Option(m: Dhcpv6Message): void {
  const visit = (options: Dhcpv6Option[]) => {
    for (const o of options) {
      const value = V6_DECODERS[o.code]?.(o.data);
      if (o.code === 96) visit(value as Dhcpv6Option[]);
      if (o.code === 92) visit((value as { options: Dhcpv6Option[] }).options);
    }
  };
  for (let x: Dhcpv6Message | undefined = m; x !== undefined; x = x.kind === "relay" ? x.message : undefined) visit(x.options);
}

const decoders: [string, (b: Uint8Array) => unknown][] = [
  ["decodeDhcpv6Message", decodeDhcpv6Message],
  ["decodeDhcp4o6Request", decodeDhcp4o6Request],
  ["decodeDhcpv4Message", decodeDhcpv4Message],
];

describe("robustness", () => {
  test(`${MUTATED + RANDOM} random and mutated packets: only DecodeError or a value`, () => {
    const r = prng(SEED);
    const corpus = seedCorpus();
    const inputs: Uint8Array[] = [...corpus, ...largestPackets()];
    const largest = new Set(inputs.slice(corpus.length));
    for (let i = 0; i < MUTATED; i++) inputs.push(mutate(r, corpus));
    for (let i = 0; i < RANDOM; i++) inputs.push(randomPacket(r));

    const failures: string[] = [];
    const slowInputs: [(b: Uint8Array) => unknown, Uint8Array][] = [];
    const errorsByCode = new Map<string, number>();
    let accepted = 0;
    let slowest = 0;
    for (const input of inputs) {
      for (const [name, decode] of decoders) {
        const t0 = performance.now();
        let value: unknown;
        try {
          value = decode(input);
        } catch (e) {
          const ms = performance.now() - t0;
          if (ms > 1) slowInputs.push([decode, input]);
          slowest = Math.max(slowest, ms);
          if (!(e instanceof DecodeError) || !CODES.has(e.code) || !(e.offset >= 0 && e.offset <= input.length) || !e.message.includes(e.field)) {
            if (failures.length < 5) failures.push(`${name}(${toHex(input).slice(0, 400)}): ${String(e)}`);
          } else {
            errorsByCode.set(e.code, (errorsByCode.get(e.code) ?? 0) + 1);
          }
          continue;
        }
        const ms = performance.now() - t0;
        if (ms > 1) slowInputs.push([decode, input]);
        slowest = Math.max(slowest, ms);
        accepted++;
        // Whatever the decoders accept is a valid message: its typed accessors do not throw,
        // and it re-encodes, stably.
        try {
          if (name === "decodeDhcpv4Message") readEveryDhcpv4Field(value as Dhcpv4Message);
          if (name === "decodeDhcpv6Message") readEveryDhcpv6Option(value as Dhcpv6Message);
          if (name === "decodeDhcpv4Message") {
            const once = encodeDhcpv4Message(value as ReturnType<typeof decodeDhcpv4Message>);
            if (toHex(encodeDhcpv4Message(decodeDhcpv4Message(once))) !== toHex(once)) throw new Error("unstable re-encoding");
          } else if (name === "decodeDhcpv6Message") {
            const once = encodeDhcpv6Message(value as ReturnType<typeof decodeDhcpv6Message>);
            if (toHex(encodeDhcpv6Message(decodeDhcpv6Message(once))) !== toHex(once)) throw new Error("unstable re-encoding");
          }
        } catch (e) {
          if (failures.length < 5) failures.push(`re-encode after ${name}(${toHex(input).slice(0, 400)}): ${String(e)}`);
        }
      }
    }

    // A first-run time over 1 ms is usually a GC pause or a JIT tier-up: re-time those
    // inputs (best of 5) and report how many are slow in themselves.
    let stillSlow = 0;
    let largestBest = 0;
    for (const input of largest) {
      for (const [, decode] of decoders) {
        let best = Infinity;
        for (let k = 0; k < 5; k++) {
          const t0 = performance.now();
          try {
            decode(input);
          } catch {
            // checked above
          }
          best = Math.min(best, performance.now() - t0);
        }
        largestBest = Math.max(largestBest, best);
      }
    }
    for (const [decode, input] of slowInputs) {
      if (largest.has(input)) continue;
      let best = Infinity;
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        try {
          decode(input);
        } catch {
          // DecodeError, already checked above
        }
        best = Math.min(best, performance.now() - t0);
      }
      if (best > 1) stillSlow++;
    }
    const total = inputs.length * decoders.length;
    console.log(
      `[wire fuzz] ${inputs.length} inputs x ${decoders.length} decoders = ${total} decodes; accepted ${accepted}; ` +
        `DecodeError by code ${JSON.stringify(Object.fromEntries([...errorsByCode].sort()))}; ` +
        `decodes over 1 ms: ${slowInputs.length} on first run (slowest ${slowest.toFixed(3)} ms), ` +
        `${stillSlow} of the random/mutated ones still over 1 ms at best of 5 re-runs; ` +
        `near-64 KiB worst cases (${largest.size}): slowest ${largestBest.toFixed(3)} ms at best of 5`,
    );
    expect(failures).toEqual([]);
    expect(inputs.length).toBeGreaterThanOrEqual(100_000);
    // The corpus must exercise both outcomes broadly.
    expect(accepted).toBeGreaterThan(10_000);
    expect(errorsByCode.size).toBe(CODES.size);
  });
});
