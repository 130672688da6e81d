/**
 * What the client prints: a human summary of a binding, a JSON object per event for scripts,
 * the port ranges of the PSID (RFC 7597 §5.1, via server/psid), and — as an example, printed and
 * never applied — NAT44 rules that keep a CPE's translated flows inside those ports.
 */
import { portRanges, summarizePortSet, type PortRange } from "../psid";
import { formatIpv4, type PortParams } from "../wire";
import { INFINITE_SECONDS, isSharedLease, leaseSchedule, type Lease } from "./lease";
import type { BindVia } from "./lease-state";
import { formatEndpoint } from "./transport";

/** Every port a lease may use: its PSID's ranges, or 0-65535 for a full address. */
export function leasePortRanges(lease: { portParams?: PortParams }): PortRange[] {
  return lease.portParams && lease.portParams.psidLength > 0 ? portRanges(lease.portParams) : [{ first: 0, last: 65535 }];
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const seconds = (s: number) => (s === INFINITE_SECONDS ? "infinite" : `${s} s`);

const VIA_TEXT: Record<BindVia, string> = {
  selecting: "obtained (DISCOVER, OFFER, REQUEST, ACK)",
  "init-reboot": "confirmed by INIT-REBOOT",
  renewing: "renewed (RENEWING)",
  rebinding: "rebound (REBINDING)",
};

/** "shared address 192.0.2.1, PSID 5 (offset 6, PSID length 4)" or "full address 198.51.100.1". */
export function describeBinding(lease: { address: number; portParams?: PortParams }): string {
  const p = lease.portParams;
  if (!p || p.psidLength === 0) return `full address ${formatIpv4(lease.address)} (all ports)`;
  return `shared address ${formatIpv4(lease.address)}, PSID ${p.psid} (offset ${p.offset}, PSID length ${p.psidLength})`;
}

/** The human summary of a binding, several lines. */
export function leaseSummary(lease: Lease, via: BindVia): string {
  const lines = [`Bound: ${describeBinding(lease)} — ${VIA_TEXT[via]}`];
  if (lease.portParams && isSharedLease(lease)) {
    lines.push(`  ports:     ${summarizePortSet(lease.portParams, { firstRanges: 3, lastRanges: 2 })}`);
  }
  const schedule = leaseSchedule(lease);
  if (lease.leaseSeconds === INFINITE_SECONDS) {
    lines.push("  lease:     infinite");
  } else {
    lines.push(`  lease:     ${seconds(lease.leaseSeconds)}, until ${iso(schedule.expiresAt)}`);
    const t1 = schedule.renewAt !== undefined ? `T1 ${lease.t1Seconds} s (renew at ${iso(schedule.renewAt)})` : `T1 ${lease.t1Seconds} s (no RENEWING: not before T2)`;
    const t2 = schedule.rebindAt !== undefined ? `T2 ${lease.t2Seconds} s (rebind at ${iso(schedule.rebindAt)})` : `T2 ${lease.t2Seconds} s (no REBINDING: not before expiry)`;
    lines.push(`  timers:    ${t1}, ${t2}`);
  }
  lines.push(`  server:    ${formatIpv4(lease.serverId)} at ${formatEndpoint(lease.server)}`);
  const config: string[] = [];
  if (lease.subnetMask !== undefined) config.push(`mask ${formatIpv4(lease.subnetMask)}`);
  if (lease.routers?.length) config.push(`routers ${lease.routers.map(formatIpv4).join(", ")}`);
  if (lease.dnsServers?.length) config.push(`DNS ${lease.dnsServers.map(formatIpv4).join(", ")}`);
  if (config.length > 0) lines.push(`  options:   ${config.join("; ")}`);
  const sw = lease.softwire;
  if (sw) {
    const returned = sw.returned === undefined ? "server returned no option 109" : sw.returned === sw.sent ? `server bound ${sw.returned}` : `server returned ${sw.returned} instead (RFC 8539 §7.5)`;
    const extra = [sw.br ? `BR ${sw.br}` : "no BR (90)", sw.bindPrefix ? `bind prefix ${sw.bindPrefix}` : undefined].filter(Boolean);
    lines.push(`  softwire:  sent ${sw.sent}, ${returned}; ${extra.join("; ")}`);
  }
  if (isSharedLease(lease)) lines.push("  note:      a shared address: not configured on-link, never ARP-probed (RFC 7618 §7, §7.1)");
  return lines.join("\n");
}

/** The ranges, one "first-last" per line. */
export function rangeLines(lease: { portParams?: PortParams }): string[] {
  return leasePortRanges(lease).map((r) => (r.first === r.last ? String(r.first) : `${r.first}-${r.last}`));
}

export type NatStyle = "nftables" | "iptables";

/**
 * Example source-NAT rules (printed, not applied) that translate a CPE's outgoing TCP and UDP
 * flows on `outInterface` to the leased address, only ever into the port set. Each range gets a
 * fair share of new flows: rule i of n matches with probability 1/(n - i), the last always.
 */
export function natRules(lease: { address: number; portParams?: PortParams }, style: NatStyle, outInterface: string): string[] {
  const address = formatIpv4(lease.address);
  const ranges = lease.portParams && lease.portParams.psidLength > 0 ? portRanges(lease.portParams) : undefined;
  const n = ranges?.length ?? 0;
  const header = `# Example only (printed, not applied): NAT44 for ${describeBinding(lease)} on ${outInterface}.`;
  if (style === "nftables") {
    const lines = [header];
    if (ranges) lines.push(`# ${n} rule${n === 1 ? "" : "s"}, one per port range; new flows spread evenly over the ranges. Load with: nft -f FILE`);
    lines.push("table ip portshare {", "  chain postrouting {", "    type nat hook postrouting priority srcnat; policy accept;");
    if (!ranges) {
      lines.push(`    oifname "${outInterface}" snat to ${address}`);
    } else {
      ranges.forEach((r, i) => {
        const pick = i < n - 1 ? `numgen random mod ${n - i} == 0 ` : "";
        lines.push(`    oifname "${outInterface}" meta l4proto { tcp, udp } ${pick}snat to ${address}:${r.first}-${r.last}`);
      });
    }
    lines.push("  }", "}");
    return lines;
  }
  const lines = [header];
  if (!ranges) {
    lines.push(`iptables -t nat -A POSTROUTING -o ${outInterface} -j SNAT --to-source ${address}`);
    return lines;
  }
  lines.push(`# ${2 * n} rules: one per port range and protocol; new flows spread evenly over the ranges.`);
  for (const proto of ["tcp", "udp"]) {
    ranges.forEach((r, i) => {
      const pick = i < n - 1 ? `-m statistic --mode random --probability ${(1 / (n - i)).toFixed(11)} ` : "";
      lines.push(`iptables -t nat -A POSTROUTING -o ${outInterface} -p ${proto} ${pick}-j SNAT --to-source ${address}:${r.first}-${r.last}`);
    });
  }
  return lines;
}

/** One JSON-able object describing a lease (the "lease" member of --json events). */
export function leaseJson(lease: Lease): Record<string, unknown> {
  const schedule = leaseSchedule(lease);
  const shared = isSharedLease(lease);
  const ranges = leasePortRanges(lease);
  return {
    address: formatIpv4(lease.address),
    shared,
    portParams: shared ? { ...lease.portParams! } : null,
    portCount: ranges.reduce((n, r) => n + r.last - r.first + 1, 0),
    portRanges: ranges.map((r) => ({ first: r.first, last: r.last })),
    leaseSeconds: lease.leaseSeconds === INFINITE_SECONDS ? null : lease.leaseSeconds,
    t1Seconds: lease.leaseSeconds === INFINITE_SECONDS ? null : lease.t1Seconds,
    t2Seconds: lease.leaseSeconds === INFINITE_SECONDS ? null : lease.t2Seconds,
    boundAt: iso(lease.boundAt),
    renewAt: iso(schedule.renewAt),
    rebindAt: iso(schedule.rebindAt),
    expiresAt: iso(schedule.expiresAt),
    serverId: formatIpv4(lease.serverId),
    server: formatEndpoint(lease.server),
    subnetMask: lease.subnetMask === undefined ? null : formatIpv4(lease.subnetMask),
    routers: (lease.routers ?? []).map(formatIpv4),
    dnsServers: (lease.dnsServers ?? []).map(formatIpv4),
    softwire: lease.softwire
      ? {
          sent: lease.softwire.sent,
          returned: lease.softwire.returned ?? null,
          confirmed: lease.softwire.returned === lease.softwire.sent,
          br: lease.softwire.br ?? null,
          bindPrefix: lease.softwire.bindPrefix ?? null,
        }
      : null,
  };
}
