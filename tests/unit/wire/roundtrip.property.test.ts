/**
 * Property tests: for random valid messages, decode(encode(x)) equals x, and the hot-path
 * request/response functions agree with the generic codecs.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  EncodeError,
  decodeDhcp4o6Request,
  decodeDhcpv4Message,
  decodeDhcpv6Message,
  decodePortParams,
  dhcpv4EncodedLength,
  encodeDhcp4o6Response,
  encodeDhcpv4Message,
  encodeDhcpv6Message,
  encodePortParams,
  wrapInRelayReplies,
  type Dhcp4o6Message,
  type Dhcpv4EncodeOptions,
  type Dhcpv6Option,
  type RelayMessage,
} from "../../../server/wire/index";
import { dhcp4o6Message, dhcpv4Message, dhcpv6Message, dhcpv6Option, portParams, relayed } from "./arbitraries";
import { plain, toHex } from "./helpers";

const RUNS = { numRuns: 400, seed: 0x4f36 };

describe("round trips of random valid messages", () => {
  test("port parameters", () => {
    fc.assert(
      fc.property(portParams, (p) => {
        expect(decodePortParams(encodePortParams(p))).toEqual(p);
      }),
      { numRuns: 2000, seed: 7618 },
    );
  });

  test("DHCPv4 messages, plain layout", () => {
    fc.assert(
      fc.property(dhcpv4Message, (m) => {
        expect(plain(decodeDhcpv4Message(encodeDhcpv4Message(m)))).toEqual(plain(m));
      }),
      RUNS,
    );
  });

  test("DHCPv4 messages under a size limit (option overload) and with minimum padding", () => {
    const layout: fc.Arbitrary<Dhcpv4EncodeOptions> = fc.record(
      { maxLength: fc.integer({ min: 244, max: 1500 }), minLength: fc.integer({ min: 0, max: 700 }) },
      { requiredKeys: [] },
    );
    let overloaded = 0;
    fc.assert(
      fc.property(dhcpv4Message, layout, (m, opts) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeDhcpv4Message(m, opts);
        } catch (e) {
          // Allowed only when the options cannot fit even with file and sname.
          expect(e).toBeInstanceOf(EncodeError);
          expect((e as EncodeError).code).toBe("too-long");
          return;
        }
        expect(bytes.length).toBe(dhcpv4EncodedLength(m, opts));
        if (opts.maxLength !== undefined) expect(bytes.length).toBeLessThanOrEqual(Math.max(opts.maxLength, opts.minLength ?? 0));
        if (opts.minLength !== undefined) expect(bytes.length).toBeGreaterThanOrEqual(opts.minLength);
        if (bytes[240] === 52) overloaded++;
        expect(plain(decodeDhcpv4Message(bytes))).toEqual(plain(m));
      }),
      { numRuns: 1500, seed: 3396 },
    );
    expect(overloaded).toBeGreaterThan(50);
  });

  test("DHCPv6 messages: 4o6, client/server, relays nested 0..5 deep", () => {
    fc.assert(
      fc.property(dhcpv6Message, (m) => {
        expect(plain(decodeDhcpv6Message(encodeDhcpv6Message(m)))).toEqual(plain(m));
      }),
      RUNS,
    );
  });

  test("DHCPv6 encoding is the inverse byte-wise too: encode(decode(b)) = b", () => {
    fc.assert(
      fc.property(dhcpv6Message, (m) => {
        const b = encodeDhcpv6Message(m);
        expect(toHex(encodeDhcpv6Message(decodeDhcpv6Message(b)))).toBe(toHex(b));
      }),
      RUNS,
    );
  });
});

describe("hot path against the generic codecs", () => {
  const queryWithDhcpv4 = fc.tuple(dhcp4o6Message, dhcpv4Message).map(([q, v4]): Dhcp4o6Message => ({
    ...q,
    msgType: 20,
    options: [...q.options.filter((o) => o.code !== 87), { code: 87, data: encodeDhcpv4Message(v4) }],
  }));

  test("decodeDhcp4o6Request finds the relays (innermost first), the query and its DHCPv4 message", () => {
    fc.assert(
      fc.property(relayed(queryWithDhcpv4, 5, [12]), (m) => {
        const req = decodeDhcp4o6Request(encodeDhcpv6Message(m));
        const chain: RelayMessage[] = [];
        let x = m;
        while (x.kind === "relay") {
          chain.unshift(x);
          x = x.message;
        }
        expect(plain(req.relays)).toEqual(plain(chain));
        expect(plain(req.query)).toEqual(plain(x));
        const v4 = (x as Dhcp4o6Message).options.find((o) => o.code === 87)!.data;
        expect(plain(req.dhcpv4)).toEqual(plain(decodeDhcpv4Message(v4)));
      }),
      RUNS,
    );
  });

  test("encodeDhcp4o6Response equals the generic encoder of the same relay-reply chain", () => {
    fc.assert(
      fc.property(relayed(queryWithDhcpv4, 5, [12]), dhcpv4Message, fc.array(dhcpv6Option, { maxLength: 3 }), (m, reply, extra: Dhcpv6Option[]) => {
        const req = decodeDhcp4o6Request(encodeDhcpv6Message(m));
        const fast = encodeDhcp4o6Response({ dhcpv4: reply, options: extra, relays: req.relays });
        const response: Dhcp4o6Message = {
          kind: "4o6",
          msgType: 21,
          unicast: false,
          mbzFlags: 0,
          options: [{ code: 87, data: encodeDhcpv4Message(reply) }, ...extra],
        };
        expect(toHex(fast)).toBe(toHex(encodeDhcpv6Message(wrapInRelayReplies(req.relays, response))));
        // Every layer of the reply keeps hop-count, addresses, and exactly options 18 and 135.
        let out = decodeDhcpv6Message(fast);
        for (let i = req.relays.length - 1; i >= 0; i--) {
          const fwd = req.relays[i]!;
          expect(out.kind).toBe("relay");
          const rep = out as RelayMessage;
          expect(rep.msgType).toBe(13);
          expect(rep.hopCount).toBe(fwd.hopCount);
          expect(toHex(rep.linkAddress)).toBe(toHex(fwd.linkAddress));
          expect(toHex(rep.peerAddress)).toBe(toHex(fwd.peerAddress));
          expect(plain(rep.options)).toEqual(plain(fwd.options.filter((o) => o.code === 18 || o.code === 135)));
          out = rep.message;
        }
        expect(out).toMatchObject({ kind: "4o6", msgType: 21, unicast: false, mbzFlags: 0 });
      }),
      { numRuns: 200, seed: 8415 },
    );
  });
});
