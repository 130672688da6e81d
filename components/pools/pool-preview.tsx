import type { ReactNode } from "react";
import { formatSeconds } from "../format/duration";
import { Card, CardBody, CardHeader } from "../ui/card";
import { cn } from "../ui/cn";
import { Skeleton } from "../ui/skeleton";

/** The figures of a pool plan (server/alloc/pool-spec.ts describePoolPlan), as the preview shows them. */
export interface PoolPlanView {
  kind: "SHARED" | "DEDICATED";
  range: string;
  addressCount: number;
  layout: string | null;
  subscribersPerAddress: number;
  usablePsidsPerAddress: number;
  excludedPsidsPerAddress: number;
  portsPerSubscriber: number;
  rangesPerSubscriber: number;
  totalCapacity: number;
  samplePsid: number | null;
  samplePortSet: string | null;
  exclusions: readonly string[];
  leaseTime: number;
  renewTime: number;
  rebindTime: number;
  subnetMask: string | null;
}

/** idle: nothing valid typed yet; loading: the first figures are on their way. */
export type PoolPreviewStatus = "idle" | "loading" | "ready" | "updating" | "paused" | "error";

const n = (value: number) => value.toLocaleString("en-US");

/**
 * What the pool being typed would give: subscribers per address, ports each, the port ranges of a
 * sample PSID, total capacity, and which PSIDs are excluded and why. Always the same rows, so the
 * card keeps its size while the figures change (or wait for valid input).
 */
export function PoolPreview({ plan, status, message, className }: { plan: PoolPlanView | null; status: PoolPreviewStatus; message?: string; className?: string }) {
  const shared = plan?.kind !== "DEDICATED";
  // No figures yet: a dash while nothing valid was typed, a grey bar while they load.
  const empty = status === "idle" ? "" : null;
  const stale = status === "paused" || status === "error" || status === "updating";
  const note =
    status === "idle"
      ? (message ?? "Fill in the pool to see what it gives.")
      : status === "paused"
      ? (message ?? "Paused: correct the fields marked in red to see the figures again.")
      : status === "error"
        ? (message ?? "The preview could not be computed.")
        : status === "updating"
          ? "Updating…"
          : "Updates as you type.";
  return (
    <Card className={className} aria-labelledby="pool-preview-heading" aria-busy={status === "loading" || status === "updating"}>
      <CardHeader id="pool-preview-heading" title="Preview" description={<span className={cn(status === "paused" || status === "error" ? "text-warning" : undefined)}>{note}</span>} />
      <CardBody className={cn("transition-opacity", stale && "opacity-60")}>
        <dl className="divide-y divide-line text-sm" data-testid="pool-preview">
          <Row label="Addresses" value={plan ? n(plan.addressCount) : empty} detail={plan?.range} />
          <Row label="Subscribers per address" value={plan ? (shared ? n(plan.subscribersPerAddress) : "1") : empty} detail={
              plan &&
              (shared ? (
                <>
                  2<sup>{Math.log2(plan.subscribersPerAddress)}</sup> PSIDs
                </>
              ) : (
                "whole address"
              ))
            } />
          <Row
            label="Usable PSIDs per address"
            value={plan ? (shared ? n(plan.usablePsidsPerAddress) : "—") : empty}
            detail={plan && shared && plan.excludedPsidsPerAddress > 0 ? `${n(plan.excludedPsidsPerAddress)} excluded` : undefined}
          />
          <Row
            label="Ports per subscriber"
            value={plan ? n(plan.portsPerSubscriber) : empty}
            detail={plan && (shared ? `${n(plan.rangesPerSubscriber)} range${plan.rangesPerSubscriber === 1 ? "" : "s"} of ${n(plan.portsPerSubscriber / plan.rangesPerSubscriber)}` : "0-65535")}
          />
          <Row label="Total capacity" value={plan ? n(plan.totalCapacity) : empty} detail={plan && (shared ? "port sets" : "addresses")} strong />
          <Row label="Lease / T1 / T2" value={plan ? `${formatSeconds(plan.leaseTime)} / ${formatSeconds(plan.renewTime)} / ${formatSeconds(plan.rebindTime)}` : empty} />
        </dl>
        <div className="mt-4 space-y-3 text-sm">
          <Block title="Sample port set">
            {plan ? (
              shared && plan.samplePortSet ? (
                <p className="font-mono text-xs break-words text-ink" data-testid="sample-port-set">
                  {plan.samplePortSet}
                </p>
              ) : (
                <p className="text-ink-muted">Every port of the address.</p>
              )
            ) : status === "idle" ? (
              <p className="text-ink-muted">—</p>
            ) : (
              <Skeleton className="h-4 w-full" />
            )}
          </Block>
          <Block title="Excluded PSIDs">
            {plan ? (
              plan.exclusions.length > 0 ? (
                <ul className="space-y-1" data-testid="excluded-psids">
                  {plan.exclusions.map((line) => (
                    <li key={line} className="text-ink">
                      {line}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-ink-muted">{shared ? "None: every PSID is handed out." : "None: dedicated pools have no port sets."}</p>
              )
            ) : status === "idle" ? (
              <p className="text-ink-muted">—</p>
            ) : (
              <Skeleton className="h-4 w-3/4" />
            )}
          </Block>
        </div>
      </CardBody>
    </Card>
  );
}

function Row({ label, value, detail, strong }: { label: string; value: ReactNode; detail?: ReactNode; strong?: boolean }) {
  // `value` undefined: still loading (a grey bar); "" : nothing to show yet (a dash).
  return (
    <div className="flex min-h-10 items-center justify-between gap-4 py-1.5" data-label={label}>
      <dt className="text-ink-muted">{label}</dt>
      <dd className="text-right">
        {value === "" ? (
          <span className="text-ink-muted">—</span>
        ) : value === null || value === undefined ? (
          <Skeleton className="ml-auto h-4 w-16" />
        ) : (
          <>
            <span className={cn("tabular-nums text-ink", strong ? "text-base font-semibold" : "font-medium")}>{value}</span>
            {detail && <span className="block text-xs text-ink-muted">{detail}</span>}
          </>
        )}
      </dd>
    </div>
  );
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h4 className="mb-1 text-xs font-semibold tracking-wide text-ink-muted uppercase">{title}</h4>
      {children}
    </div>
  );
}
