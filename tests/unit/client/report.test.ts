// What portshare-client prints: the port ranges are server/psid's (RFC 7597 §5.1, protocol.md
// §5.3), the human summary, the JSON, and the example NAT44 rules.
import { describe, expect, it } from "vitest";
import type { Lease } from "@/server/client/lease";
import { describeBinding, leaseJson, leasePortRanges, leaseSummary, natRules, rangeLines } from "@/server/client/report";
import { portRanges } from "@/server/psid";
import { ip, PSID5, SERVER, SERVER_ID, T0 } from "./helpers";

const shared: Lease = { address: ip("192.0.2.10"), portParams: PSID5, serverId: SERVER_ID, server: SERVER, leaseSeconds: 3600, t1Seconds: 1800, t2Seconds: 3150, boundAt: T0, subnetMask: 0xffffffff };
const full: Lease = { ...shared, address: ip("198.51.100.7"), portParams: undefined };

describe("port ranges", () => {
  it("are server/psid's for the PSID: protocol.md §5.3 row 3 (a=6, k=4, PSID 5)", () => {
    const lines = rangeLines(shared);
    expect(lines).toHaveLength(63);
    expect(lines.slice(0, 2)).toEqual(["1344-1407", "2368-2431"]);
    expect(lines.at(-1)).toBe("64832-64895");
    expect(leasePortRanges(shared)).toEqual(portRanges(PSID5));
  });

  it("rows 1, 7 and 8 of §5.3", () => {
    expect(rangeLines({ portParams: { offset: 6, psidLength: 8, psid: 0x34 } }).slice(0, 3)).toEqual(["1232-1235", "2256-2259", "3280-3283"]);
    expect(rangeLines({ portParams: { offset: 0, psidLength: 4, psid: 5 } })).toEqual(["20480-24575"]);
    expect(rangeLines({ portParams: { offset: 4, psidLength: 4, psid: 3 } })[0]).toBe("4864-5119");
  });

  it("a full address has every port", () => {
    expect(rangeLines(full)).toEqual(["0-65535"]);
  });
});

describe("human summary", () => {
  it("names address, PSID, offset, length, port ranges, lease, T1/T2 and server", () => {
    const text = leaseSummary(shared, "selecting");
    expect(text).toContain("Bound: shared address 192.0.2.10, PSID 5 (offset 6, PSID length 4)");
    expect(text).toContain("63 ranges of 64 ports, 4032 ports, 1344-1407, 2368-2431, 3392-3455 ... 63808-63871, 64832-64895");
    expect(text).toContain("3600 s, until 2026-01-01T01:00:00.000Z");
    expect(text).toContain("T1 1800 s (renew at 2026-01-01T00:30:00.000Z), T2 3150 s");
    expect(text).toContain("192.0.2.254 at [2001:db8::547]:547");
    expect(text).toContain("mask 255.255.255.255");
    expect(text).toContain("never ARP-probed");
    expect(leaseSummary(full, "renewing")).toContain("full address 198.51.100.7 (all ports) — renewed (RENEWING)");
    expect(describeBinding(full)).toBe("full address 198.51.100.7 (all ports)");
  });

  it("reports a softwire source the server did not confirm", () => {
    const text = leaseSummary({ ...shared, softwire: { sent: "2001:db8:2::1", returned: "2001:db8:2::9" } }, "selecting");
    expect(text).toContain("sent 2001:db8:2::1, server returned 2001:db8:2::9 instead (RFC 8539 §7.5); no BR (90)");
  });
});

describe("JSON", () => {
  it("carries the lease with numeric PSID, ranges and times", () => {
    const json = leaseJson(shared);
    expect(json).toMatchObject({
      address: "192.0.2.10",
      shared: true,
      portParams: PSID5,
      portCount: 4032,
      leaseSeconds: 3600,
      t1Seconds: 1800,
      t2Seconds: 3150,
      boundAt: "2026-01-01T00:00:00.000Z",
      renewAt: "2026-01-01T00:30:00.000Z",
      rebindAt: "2026-01-01T00:52:30.000Z",
      expiresAt: "2026-01-01T01:00:00.000Z",
      serverId: "192.0.2.254",
      server: "[2001:db8::547]:547",
      subnetMask: "255.255.255.255",
      softwire: null,
    });
    expect(json.portRanges).toEqual(portRanges(PSID5));
    expect(JSON.parse(JSON.stringify(leaseJson(full)))).toMatchObject({ shared: false, portParams: null, portCount: 65536, portRanges: [{ first: 0, last: 65535 }] });
  });
});

describe("example NAT44 rules (printed, not applied)", () => {
  it("nftables: one snat rule per range, flows spread with numgen, the last unconditional", () => {
    const lines = natRules(shared, "nftables", "wan6");
    const rules = lines.filter((l) => l.includes("snat to"));
    expect(rules).toHaveLength(63);
    expect(rules[0]).toBe('    oifname "wan6" meta l4proto { tcp, udp } numgen random mod 63 == 0 snat to 192.0.2.10:1344-1407');
    expect(rules[61]).toContain("numgen random mod 2 == 0 snat to 192.0.2.10:63808-63871");
    expect(rules[62]).toBe('    oifname "wan6" meta l4proto { tcp, udp } snat to 192.0.2.10:64832-64895');
    expect(lines[0]).toMatch(/^# Example only \(printed, not applied\)/);
  });

  it("iptables: per protocol and range, -j SNAT --to-source addr:first-last", () => {
    const lines = natRules(shared, "iptables", "tun0").filter((l) => l.startsWith("iptables"));
    expect(lines).toHaveLength(126);
    expect(lines[0]).toBe("iptables -t nat -A POSTROUTING -o tun0 -p tcp -m statistic --mode random --probability 0.01587301587 -j SNAT --to-source 192.0.2.10:1344-1407");
    expect(lines[62]).toBe("iptables -t nat -A POSTROUTING -o tun0 -p tcp -j SNAT --to-source 192.0.2.10:64832-64895");
    expect(lines[63]).toContain("-p udp");
  });

  it("a single range (a = 0) needs no spreading; a full address no port restriction", () => {
    const one = natRules({ address: ip("192.0.2.10"), portParams: { offset: 0, psidLength: 6, psid: 1 } }, "iptables", "tun0").filter((l) => l.startsWith("iptables"));
    expect(one).toEqual([
      "iptables -t nat -A POSTROUTING -o tun0 -p tcp -j SNAT --to-source 192.0.2.10:1024-2047",
      "iptables -t nat -A POSTROUTING -o tun0 -p udp -j SNAT --to-source 192.0.2.10:1024-2047",
    ]);
    expect(natRules(full, "nftables", "tun0")).toContain('    oifname "tun0" snat to 198.51.100.7');
  });
});
