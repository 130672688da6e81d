// protocol.md §6.5, the RFC 8539 checklist: the BR address (DHCPv6 option 90) and binding prefix
// (137) in DHCPV4-RESPONSE, and the softwire source (DHCPv4 option 109) stored with the lease,
// echoed in every ACK, updated, and unique among active leases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DhcpMessageType,
  formatIpv6,
  getDhcpv6Option,
  getDhcpv6Options,
  optionRequestOption,
  parseIpv6,
  portParams,
  softwireSource,
} from "@/server/wire";
import { testBackends } from "../support/databases";
import { macOf, type Response } from "../../support/test-client";
import { Harness, TEST_SERVER_ID, ask, discover, dora, hex, leaseAt, renew, selectingRequest, viaRelay, type Ask, type Grant } from "./harness";

const backends = await testBackends();

const BR = "2001:db8:ffff::1";
const POOLS = [
  { name: "lw4o6", kind: "shared", range: "192.0.2.0/28", psidOffset: 0, psidLength: 4, leaseTime: 3600, brAddress: BR, bindPrefix: "2001:db8:100::/40" },
  // A prefix length that is not a whole number of bytes: 1 + ceil(44 / 8) = 7 bytes.
  { name: "odd-prefix", kind: "shared", range: "192.0.2.32/28", psidOffset: 0, psidLength: 4, leaseTime: 3600, brAddress: BR, bindPrefix: "2001:db8:1230::/44", interfaceId: "odd" },
  { name: "dedicated", kind: "dedicated", range: "198.51.100.0/24", leaseTime: 3600 },
];

const source = (n: number) => `2001:db8:100:${n.toString(16)}::1`;
const sent109 = (r: Response | null) => {
  const bytes = r ? softwireSource(r.dhcpv4) : undefined;
  return bytes ? formatIpv6(bytes) : undefined;
};

describe.each(backends)("softwire provisioning (protocol.md §6.5, RFC 8539) on %s", (backend) => {
  let h: Harness;
  let n = 3000;
  const client = (extra: Partial<Ask> = {}): Ask => ({ mac: macOf(n++), shared: true, ...extra });
  const oro = (...codes: number[]) => ({ v6Options: [optionRequestOption(codes)] });

  beforeAll(async () => {
    h = await Harness.start(backend, POOLS);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("returns the pool's BR address in option 90 when the query's ORO lists 90, in the OFFER and the ACK", async () => {
    const c = client(oro(90));
    const offer = await discover(h.client, c);
    expect(formatIpv6(getDhcpv6Option(offer.response, 90)!)).toBe(BR);
    const ack = await selectingRequest(h.client, c, offer);
    expect(ack?.type).toBe(DhcpMessageType.ACK);
    expect(getDhcpv6Options(ack!.response, 90)).toHaveLength(1);
    expect(formatIpv6(getDhcpv6Option(ack!.response, 90)!)).toBe(BR);
  });

  it("sends no option 90 or 137 when the ORO does not ask, or when the pool has none", async () => {
    const plain = await discover(h.client, client());
    expect(getDhcpv6Option(plain.response, 90)).toBeUndefined();
    expect(getDhcpv6Option(plain.response, 137)).toBeUndefined();
    const dedicated = await discover(h.client, client({ shared: false, ...oro(90, 137) }));
    expect(getDhcpv6Option(dedicated.response, 90)).toBeUndefined();
    expect(getDhcpv6Option(dedicated.response, 137)).toBeUndefined();
  });

  it("sends option 137 at most once, with length 1 + ceil(prefix length / 8)", async () => {
    for (const [via, bits, prefix] of [
      [undefined, 40, "2001:db8:100::"],
      [viaRelay({ interfaceId: "odd" }), 44, "2001:db8:1230::"],
    ] as const) {
      const offer = await discover(h.client, client({ ...oro(90, 137, 137), via }));
      const all = getDhcpv6Options(offer.response, 137);
      expect(all).toHaveLength(1);
      const value = all[0]!;
      expect(value.length).toBe(1 + Math.ceil(bits / 8));
      expect(value[0]).toBe(bits);
      expect(hex(value.subarray(1))).toBe(hex(parseIpv6(prefix)!.subarray(0, Math.ceil(bits / 8))));
    }
  });

  it("stores the softwire source of the REQUEST and returns it in every ACK, including renewals without option 109", async () => {
    const c = client();
    const { ack, grant } = await dora(h.client, { ...c, softwireSource: source(1) });
    expect(sent109(ack)).toBe(source(1));
    const row = await leaseAt(h.db, grant.address, grant.params!.psid);
    expect(row).toMatchObject({ state: "BOUND", ipv6Address: source(1), softwireSource: true });
    for (const unicast of [true, false]) {
      expect(sent109(await renew(h.client, { ...c, softwireSource: source(1) }, grant, { unicast }))).toBe(source(1));
    }
    // RFC 8539 §7.2 makes 109 a MUST in every lease-extending REQUEST; a client that leaves it
    // out still gets an ACK carrying the stored address (§8), and the binding is kept.
    const bare = await renew(h.client, c, grant);
    expect(bare?.type).toBe(DhcpMessageType.ACK);
    expect(sent109(bare)).toBe(source(1));
    expect(await leaseAt(h.db, grant.address, grant.params!.psid)).toMatchObject({ ipv6Address: source(1), softwireSource: true });
  });

  it("stores and echoes a new softwire source sent for an active lease (RFC 8539 §8.1)", async () => {
    const c = client();
    const { grant } = await dora(h.client, { ...c, softwireSource: source(2) });
    const moved = await renew(h.client, { ...c, softwireSource: source(3) }, grant);
    expect(moved?.type).toBe(DhcpMessageType.ACK);
    expect(sent109(moved)).toBe(source(3));
    expect((await leaseAt(h.db, grant.address, grant.params!.psid))?.ipv6Address).toBe(source(3));
  });

  it("refuses another client's active softwire source: NAK without a lease, the old value with one; never stored (RFC 8539 §8.2)", async () => {
    const owner = client();
    const { grant: ownerGrant } = await dora(h.client, { ...owner, softwireSource: source(4) });

    // No lease yet (SELECTING after an OFFER): NAK, and no binding is made.
    const newcomer = client();
    const offer = await discover(h.client, newcomer);
    const nak = await selectingRequest(h.client, { ...newcomer, softwireSource: source(4) }, offer);
    expect(nak?.type).toBe(DhcpMessageType.NAK);
    const offered = await leaseAt(h.db, offer.dhcpv4.yiaddr, portParams(offer.dhcpv4)!.psid);
    expect(offered?.state).not.toBe("BOUND");

    // With a lease: ACK carrying its own, unchanged value.
    const holder = client();
    const { grant } = await dora(h.client, { ...holder, softwireSource: source(5) });
    const clash = await renew(h.client, { ...holder, softwireSource: source(4) }, grant);
    expect(clash?.type).toBe(DhcpMessageType.ACK);
    expect(sent109(clash)).toBe(source(5));
    expect((await leaseAt(h.db, grant.address, grant.params!.psid))?.ipv6Address).toBe(source(5));
    expect((await leaseAt(h.db, ownerGrant.address, ownerGrant.params!.psid))).toMatchObject({ ipv6Address: source(4), state: "BOUND" });
  });

  it("accepts a RELEASE without option 109 and ends the softwire binding with the lease (RFC 8539 §7.3, §8)", async () => {
    const a = client();
    const { grant } = await dora(h.client, { ...a, softwireSource: source(6) });
    const release = await ask(h.client, DhcpMessageType.RELEASE, { ...a, ciaddr: grant.address, portParams: grant.params, serverId: TEST_SERVER_ID }, 300);
    expect(release).toBeNull();
    expect((await leaseAt(h.db, grant.address, grant.params!.psid))?.state).toBe("RELEASED");
    // The source is free for another subscriber now.
    const b = client();
    const { ack } = await dora(h.client, { ...b, softwireSource: source(6) });
    expect(sent109(ack)).toBe(source(6));
    const g: Grant = { address: ack.dhcpv4.yiaddr, params: portParams(ack.dhcpv4) };
    expect((await leaseAt(h.db, g.address, g.params!.psid))?.ipv6Address).toBe(source(6));
  });
});
