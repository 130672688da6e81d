"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatEndpoint } from "@/components/format/endpoint";
import { formatUtc } from "@/components/format/time";
import { humanize, plural } from "@/components/format/words";
import { LEASE_STATES, LIVE_LEASE_STATES, LeaseStateBadge } from "@/components/leases/lease-state";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CountList, CountListSkeleton, type CountItem } from "@/components/ui/count-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Stat, StatSkeleton } from "@/components/ui/stat";
import { Status } from "@/components/ui/status";
import { messageOf } from "../_trpc/errors";
import { useTRPC } from "../_trpc/client";

/** How often the dashboard asks again; packet counters move while the page is open. */
const REFRESH_MS = 5_000;

const STAT_LABELS = ["Pools", "Live leases", "4o6 worker", "Database"] as const;

export function DashboardPanel() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.dashboard.summary.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  if (summary.isPending) return <DashboardSkeleton />;
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
        <Card className="lg:col-span-2">
          <CardHeader title="Packets since start" description="DHCPv4-over-DHCPv6 traffic of this process" />
          <CardBody className="grid gap-6 sm:grid-cols-3">
            <PacketCounts title="Received" counts={packets.received} empty="Nothing received yet." />
            <PacketCounts title="Sent" counts={packets.sent} empty="Nothing sent yet." />
            <PacketCounts title="Dropped" counts={packets.dropped} empty="Nothing dropped." />
          </CardBody>
        </Card>
      </div>

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
        <Card className="lg:col-span-2">
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
    </div>
  );
}
