"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { TimeSeriesChart, type ChartSeries } from "@/components/charts/time-series-chart";
import { formatEndpoint } from "@/components/format/endpoint";
import { formatUtc } from "@/components/format/time";
import { humanize, plural } from "@/components/format/words";
import { LEASE_STATES, LIVE_LEASE_STATES, LeaseStateBadge } from "@/components/leases/lease-state";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CountList, CountListSkeleton, type CountItem } from "@/components/ui/count-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Stat, StatSkeleton } from "@/components/ui/stat";
import { Status } from "@/components/ui/status";
import { DataTable, type Column } from "@/components/ui/data-table";
import { formatPercent, UtilizationBar } from "@/components/ui/utilization-bar";
import type { RouterOutputs } from "../_trpc/types";
import { messageOf } from "../_trpc/errors";
import { useTRPC } from "../_trpc/client";

/** How often the dashboard asks again; packet counters move while the page is open. */
const REFRESH_MS = 5_000;
const USAGE_REFRESH_MS = 15_000;

const STAT_LABELS = ["Pools", "Live leases", "4o6 worker", "Database"] as const;

export function DashboardPanel() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.dashboard.summary.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  // Counting every pool's slots scans the live leases: less often than the packet counters.
  const usage = useQuery(trpc.dashboard.pools.queryOptions(undefined, { refetchInterval: USAGE_REFRESH_MS }));

  // Both at once, so the page is drawn once, in its final shape.
  if (summary.isPending || usage.isPending) return <DashboardSkeleton />;
  if (summary.isError) return <Alert>Could not load the dashboard: {messageOf(summary.error)}</Alert>;

  const { pools, leases, health, packets } = summary.data;
  const shared = pools.SHARED ?? 0;
  const dedicated = pools.DEDICATED ?? 0;
  const leaseCount = (state: string) => leases[state] ?? 0;
  const live = LIVE_LEASE_STATES.reduce((sum, state) => sum + leaseCount(state), 0);
  const allLeases = LEASE_STATES.reduce((sum, state) => sum + leaseCount(state), 0);
  const worker = health.worker;

  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Pools" value={shared + dedicated} detail={shared + dedicated === 0 ? "No pools yet" : `${shared} shared · ${dedicated} dedicated`} />
        <Stat label="Live leases" value={live.toLocaleString("en-US")} detail={`${leaseCount("BOUND").toLocaleString("en-US")} bound · ${leaseCount("OFFERED").toLocaleString("en-US")} offered`} />
        <Stat
          label="4o6 worker"
          value={<Status tone={worker.state === "listening" ? "ok" : worker.state === "draining" ? "idle" : "bad"}>{humanize(worker.state)}</Status>}
          detail={
            worker.state === "listening" && worker.address !== undefined && worker.port !== undefined ? (
              <span title={worker.since ? `Listening since ${formatUtc(worker.since)} UTC` : undefined}>
                on <span className="font-mono">{formatEndpoint(worker.address, worker.port)}</span>
              </span>
            ) : (
              "Not answering DHCP clients"
            )
          }
        />
        <Stat
          label="Database"
          value={<Status tone={health.database.ok ? "ok" : "bad"}>{health.database.ok ? "Healthy" : "Unreachable"}</Status>}
          detail={
            <span title={health.database.error ?? health.database.backend}>{health.database.ok ? health.database.backend : health.database.error}</span>
          }
        />
      </div>

      <div className="grid gap-4 lg:grid-cols-3">
        <TrafficCard />
        <Card>
          <CardHeader title="Leases by state" description={`${plural(allLeases, "lease")} in total`} />
          <CardBody>
            <CountList
              label="Leases by state"
              empty="No leases yet."
              items={LEASE_STATES.map((state) => ({ key: state, label: <LeaseStateBadge state={state} />, count: leaseCount(state) }))}
            />
          </CardBody>
        </Card>
      </div>

      {usage.isError ? (
        <Alert>Could not load the pools&apos; utilization: {messageOf(usage.error)}</Alert>
      ) : (
        usage.data.pools.length > 0 && <PoolUsageCard usage={usage.data} />
      )}

      <Card>
        <CardHeader title="Packets since start" description="DHCPv4-over-DHCPv6 traffic of this process" />
        <CardBody className="grid gap-6 sm:grid-cols-3">
          <PacketCounts title="Received" counts={packets.received} empty="Nothing received yet." />
          <PacketCounts title="Sent" counts={packets.sent} empty="Nothing sent yet." />
          <PacketCounts title="Dropped" counts={packets.dropped} empty="Nothing dropped." />
        </CardBody>
      </Card>

      {/* Below the cards, not above them: appearing after the first load, it moves nothing. */}
      {shared + dedicated === 0 && (
        <Card>
          <EmptyState
            title="No pools yet — the 4o6 server has no IPv4 addresses to hand out"
            action={
              <Link href="/pools" className={buttonClasses("secondary", "sm")}>
                Go to Pools
              </Link>
            }
          >
            Until a pool exists, DHCPv4-over-DHCPv6 requests are received and counted above, but no client gets an address.
          </EmptyState>
        </Card>
      )}
    </div>
  );
}

type Usage = RouterOutputs["dashboard"]["pools"];
type PoolUsageRow = Usage["pools"][number];

const n = (value: number) => value.toLocaleString("en-US");

/** Every pool's slots in use against its capacity, nearest exhaustion first. */
function PoolUsageCard({ usage }: { usage: Usage }) {
  const { thresholds } = usage;
  const columns: Column<PoolUsageRow>[] = [
    {
      header: "Pool",
      cell: (pool) => (
        <span className="flex items-center gap-2 whitespace-nowrap">
          <Link href={`/pools/${pool.id}`} className="font-medium text-accent underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent">
            {pool.name}
          </Link>
          <Badge tone={pool.kind === "SHARED" ? "accent" : "neutral"}>{humanize(pool.kind)}</Badge>
          {!pool.enabled && <Badge>Disabled</Badge>}
        </span>
      ),
    },
    {
      header: "Addresses",
      align: "right",
      cell: (pool) => (
        <>
          <span>{n(pool.addressCount)}</span>
          <span className="block text-xs whitespace-nowrap text-ink-muted">{pool.kind === "SHARED" ? `${n(2 ** pool.psidLength)} PSIDs each` : "whole"}</span>
        </>
      ),
    },
    {
      header: "In use / total",
      align: "right",
      cell: (pool) => (
        <>
          <span className="whitespace-nowrap">
            {n(pool.inUse)} / {n(pool.capacity)}
          </span>
          <span className="block text-xs whitespace-nowrap text-ink-muted">{pool.kind === "SHARED" ? "port sets" : "addresses"}</span>
        </>
      ),
    },
    {
      header: "Utilization",
      className: "w-1/4 min-w-40",
      cell: (pool) => <UtilizationBar value={pool.utilization} thresholds={thresholds} label={`${pool.name} utilization`} />,
    },
    {
      header: "Leases by state",
      cell: (pool) => (
        <span className="grid grid-cols-[repeat(3,max-content)] gap-x-3 gap-y-0.5 text-xs whitespace-nowrap">
          <StateCount label="Bound" count={pool.bound} tone="text-success" />
          <StateCount label="Offered" count={pool.offered} tone="text-accent" />
          <StateCount label="Quarantined" count={pool.quarantined} tone="text-danger" />
          {pool.reserved > 0 && <StateCount label="Reserved" count={pool.reserved} tone="text-ink" />}
        </span>
      ),
    },
    {
      header: "Heat map",
      cell: (pool) => (
        <Link href={`/pools/${pool.id}/heatmap`} className={buttonClasses("secondary", "sm")} aria-label={`Heat map of ${pool.name}`}>
          Open
        </Link>
      ),
    },
  ];
  const hot = usage.pools.filter((pool) => pool.level !== "ok").length;
  return (
    <Card aria-labelledby="pool-usage-heading">
      <CardHeader
        id="pool-usage-heading"
        title="Pools by utilization"
        description={`Nearest exhaustion first. Amber from ${formatPercent(thresholds.warn)}, red from ${formatPercent(thresholds.critical)} in use (UTILIZATION_WARN, UTILIZATION_CRITICAL).`}
        actions={hot > 0 ? <Badge tone="warning">{plural(hot, "pool")} past the warning level</Badge> : undefined}
      />
      <DataTable caption="Pools by utilization, nearest exhaustion first" columns={columns} rows={usage.pools} rowKey={(pool) => pool.id} empty={null} />
    </Card>
  );
}

function StateCount({ label, count, tone }: { label: string; count: number; tone: string }) {
  return (
    <span className={count === 0 ? "text-ink-muted" : undefined}>
      {label} <span className={`font-semibold tabular-nums ${count === 0 ? "" : tone}`}>{n(count)}</span>
    </span>
  );
}

const TRAFFIC_SERIES: ChartSeries<"offers" | "acks" | "naks" | "drops">[] = [
  { key: "offers", label: "Offers", colour: "var(--ps-series-offers)" },
  { key: "acks", label: "ACKs", colour: "var(--ps-series-acks)" },
  { key: "naks", label: "NAKs", colour: "var(--ps-series-naks)" },
  { key: "drops", label: "Drops", colour: "var(--ps-series-drops)" },
];
const CHART_HEIGHT = 176;

/** The last hour of DHCP exchanges per minute, every worker added up (dashboard.traffic). */
function TrafficCard() {
  const trpc = useTRPC();
  const traffic = useQuery(trpc.dashboard.traffic.queryOptions({ minutes: 60 }, { refetchInterval: 30_000 }));
  return (
    <Card className="lg:col-span-2" aria-labelledby="traffic-heading">
      <CardHeader id="traffic-heading" title="Last hour" description="Offers, ACKs, NAKs and drops per minute, all workers (UTC)" />
      <CardBody>
        {traffic.isError ? (
          <div style={{ height: CHART_HEIGHT + 28 }}>
            <Alert>Could not load the traffic: {messageOf(traffic.error)}</Alert>
          </div>
        ) : traffic.data ? (
          <TimeSeriesChart data={traffic.data} series={TRAFFIC_SERIES} label="DHCP exchanges per minute, last hour" height={CHART_HEIGHT} />
        ) : (
          <TrafficSkeleton />
        )}
      </CardBody>
    </Card>
  );
}

function TrafficSkeleton() {
  return (
    <div className="space-y-2" aria-hidden>
      <div className="flex h-5 items-center gap-4">
        {TRAFFIC_SERIES.map((s) => (
          <Skeleton key={s.key} className="h-4 w-16" />
        ))}
      </div>
      {/* h-44: CHART_HEIGHT. */}
      <Skeleton className="h-44 w-full" />
    </div>
  );
}

/** One packet counter by label (message type or drop reason), biggest first. */
function PacketCounts({ title, counts, empty }: { title: string; counts: Record<string, number>; empty: string }) {
  const items: CountItem[] = Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([label, count]) => ({ key: label, label: <span className="font-mono text-xs">{label}</span>, count }));
  const total = items.reduce((sum, item) => sum + item.count, 0);
  return (
    <section aria-label={`${title} packets`}>
      <h3 className="mb-1 flex items-baseline justify-between text-sm font-semibold text-ink">
        {title}
        <span className="font-medium tabular-nums text-ink-muted">{total.toLocaleString("en-US")}</span>
      </h3>
      <CountList label={`${title} packets`} items={items} empty={empty} />
    </section>
  );
}

/** The dashboard's shape in grey, so the page does not jump when the numbers arrive. */
function DashboardSkeleton() {
  return (
    <div className="space-y-6" role="status" aria-label="Loading the dashboard">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {STAT_LABELS.map((label) => (
          <StatSkeleton key={label} label={label} />
        ))}
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader title="Last hour" description="Offers, ACKs, NAKs and drops per minute, all workers (UTC)" />
          <CardBody>
            <TrafficSkeleton />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Leases by state"
            description={
              <span className="flex h-5 items-center">
                <Skeleton className="h-4 w-24" />
              </span>
            }
          />
          <CardBody>
            <CountListSkeleton rows={LEASE_STATES.length} />
          </CardBody>
        </Card>
      </div>
      <Card>
        <CardHeader title="Packets since start" description="DHCPv4-over-DHCPv6 traffic of this process" />
        <CardBody className="grid gap-6 sm:grid-cols-3">
          {["Received", "Sent", "Dropped"].map((title) => (
            <div key={title}>
              <p className="mb-1 text-sm font-semibold text-ink">{title}</p>
              <CountListSkeleton rows={1} />
            </div>
          ))}
        </CardBody>
      </Card>
    </div>
  );
}
