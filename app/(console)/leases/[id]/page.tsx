import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { formatSeconds } from "@/components/format/duration";
import { formatUtc } from "@/components/format/time";
import { humanize, plural } from "@/components/format/words";
import { LeaseStateBadge } from "@/components/leases/lease-state";
import { PortSetText } from "@/components/leases/port-set-text";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireOperator, signedInCaller } from "../../../_auth/session";
import type { RouterOutputs } from "../../../_trpc/types";
import { RevokeLease } from "./revoke-lease";

type Lease = RouterOutputs["leases"]["get"];

type Params = Promise<{ id: string }>;

async function loadLease(idText: string): Promise<Lease> {
  if (!/^\d{1,9}$/.test(idText)) notFound();
  try {
    return await (await signedInCaller()).leases.get({ id: Number(idText) });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}

const slotLabel = (lease: Pick<Lease, "address" | "psid">) => (lease.psid === null ? lease.address : `${lease.address} · PSID ${lease.psid}`);

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Lease ${id}` };
}

/** Everything about one lease: the slot and its ports, the subscriber, the relay chain, the history. */
export default async function LeasePage({ params }: { params: Params }) {
  const { id } = await params;
  const operator = await requireOperator();
  const lease = await loadLease(id);
  const shared = lease.psid !== null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm">
        <Link href="/leases" className="rounded text-accent underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent">
          ← Leases
        </Link>
      </nav>
      <PageHeader
        title={`Lease ${slotLabel(lease)}`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <LeaseStateBadge state={lease.state} />
            {!lease.live && (lease.state === "BOUND" || lease.state === "OFFERED") && <Badge>Expired</Badge>}
            <span>
              Pool {lease.pool.name} ({humanize(lease.pool.kind)}) · lease {lease.id}
            </span>
          </span>
        }
        actions={
          operator.role === "ADMIN" ? <RevokeLease id={lease.id} label={slotLabel(lease)} shared={shared} quarantineUntil={lease.live ? lease.revokeQuarantineUntil : null} /> : undefined
        }
      />

      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="binding-heading">
          <CardHeader id="binding-heading" title="Binding" description="The slot this lease holds and for how long." />
          <CardBody>
            <Facts>
              <Fact label="IPv4 address">
                <span className="font-mono">{lease.address}</span>
              </Fact>
              {shared ? (
                <>
                  <Fact label="PSID">
                    <span className="font-mono">{lease.psid}</span>
                  </Fact>
                  <Fact label="Port-set layout">
                    offset a = {lease.pool.psidOffset}, PSID length k = {lease.pool.psidLength} (RFC 7597 §5.1)
                  </Fact>
                  <Fact label="Port set">{lease.portSet && <PortSetText summary={lease.portSet} />}</Fact>
                </>
              ) : (
                <Fact label="Ports">The whole address (dedicated pool)</Fact>
              )}
              <Fact label="State">
                <span className="inline-flex items-center gap-2">
                  <LeaseStateBadge state={lease.state} />
                  {lease.live ? <span className="text-ink-muted">holds the slot</span> : null}
                </span>
              </Fact>
              <Fact label="Started (UTC)">
                <UtcTime date={lease.startedAt} />
              </Fact>
              <Fact label="Expires (UTC)">
                <UtcTime date={lease.expiresAt} />
              </Fact>
              {lease.quarantineUntil && (
                <Fact label="Quarantined until (UTC)">
                  <UtcTime date={lease.quarantineUntil} />
                </Fact>
              )}
              <Fact label="Last transaction (UTC)">
                <UtcTime date={lease.lastTransaction} />
              </Fact>
              <Fact label="Pool">
                {lease.pool.name} · {humanize(lease.pool.kind)} · lease time {formatSeconds(lease.pool.leaseTime)}
              </Fact>
              <Fact label="T1 / T2 sent">
                {lease.pool.renewTime !== null && lease.pool.rebindTime !== null ? (
                  <>
                    renew after {formatSeconds(lease.pool.renewTime)}, rebind after {formatSeconds(lease.pool.rebindTime)} <Muted>(the pool&apos;s timers)</Muted>
                  </>
                ) : (
                  <Muted>The pool&apos;s defaults (half and seven eighths of the lease time)</Muted>
                )}
              </Fact>
            </Facts>
          </CardBody>
        </Card>

        <Card aria-labelledby="subscriber-heading">
          <CardHeader id="subscriber-heading" title="Subscriber" description="Who holds it: client identifier (option 61), hardware and IPv6 address." />
          <CardBody>
            <Facts>
              <Fact label="Client identifier">
                <span className="font-mono text-xs break-all">{lease.clientId}</span>
              </Fact>
              <ClientIdFacts client={lease.client} />
              <Fact label="MAC (chaddr)">{lease.hwAddress ? <span className="font-mono">{lease.hwAddress}</span> : <Muted>Not sent</Muted>}</Fact>
              <Fact label="Subscriber IPv6">
                {lease.ipv6Address ? (
                  <span className="flex flex-wrap items-center gap-2">
                    <span className="font-mono break-all">{lease.ipv6Address}</span>
                    {lease.softwireSource ? (
                      <Badge tone="accent">softwire source (option 109)</Badge>
                    ) : (
                      <span className="text-xs text-ink-muted">source of the last query (no option 109)</span>
                    )}
                  </span>
                ) : (
                  <Muted>Unknown</Muted>
                )}
              </Fact>
              {shared && <Fact label="BR (lwAFTR) address">{lease.pool.brAddress ? <span className="font-mono">{lease.pool.brAddress}</span> : <Muted>Not set on the pool</Muted>}</Fact>}
            </Facts>
          </CardBody>
        </Card>
      </div>

      {shared && (
        <Card aria-labelledby="ports-heading" className="mt-6">
          <CardHeader id="ports-heading" title="Port ranges" description={`${plural(lease.portRanges.length, "range")} of PSID ${lease.psid}, in full (RFC 7597 §5.1).`} />
          <CardBody>
            <ol aria-label="Port ranges" className="grid max-h-80 grid-cols-[repeat(auto-fill,minmax(7.5rem,1fr))] gap-1.5 overflow-y-auto font-mono text-xs tabular-nums" tabIndex={0}>
              {lease.portRanges.map((range) => (
                <li key={range} className="rounded bg-surface-muted px-2 py-1 text-ink">
                  {range}
                </li>
              ))}
            </ol>
          </CardBody>
        </Card>
      )}

      <Card aria-labelledby="relay-heading" className="mt-6">
        <CardHeader id="relay-heading" title="DHCPv6 relay chain" description="The relays the last query came through, the one next to the client first." />
        {lease.relayChain.length === 0 ? (
          <CardBody>
            <p className="text-sm text-ink-muted">The last query came straight from the client (not relayed).</p>
          </CardBody>
        ) : (
          <SimpleTable
            caption="Relay chain"
            headers={["Hop", "Link-address", "Peer-address", "Interface-Id"]}
            rows={lease.relayChain.map((hop, index) => ({
              key: index,
              cells: [
                <span key="hop" className="tabular-nums">
                  {hop.hopCount ?? index}
                </span>,
                <Mono key="link">{hop.linkAddress}</Mono>,
                <Mono key="peer">{hop.peerAddress}</Mono>,
                hop.interfaceId ? (
                  <span key="ifid" className="flex flex-col">
                    {hop.interfaceIdText && <span className="font-mono text-xs">&quot;{hop.interfaceIdText}&quot;</span>}
                    <span className="font-mono text-xs text-ink-muted">0x{hop.interfaceId}</span>
                  </span>
                ) : (
                  <Muted key="ifid">—</Muted>
                ),
              ],
            }))}
          />
        )}
      </Card>

      <Card aria-labelledby="history-heading" className="mt-6">
        <CardHeader id="history-heading" title="History" description="Every state change of this slot, oldest first: when, what, and who caused it." />
        {lease.history.length === 0 ? (
          <EmptyState title="No recorded changes">This lease has no history entries.</EmptyState>
        ) : (
          <SimpleTable
            caption="Lease history"
            headers={["Time (UTC)", "Change", "By", "Client ID", "Detail"]}
            rows={lease.history.map((event) => ({
              key: event.id,
              cells: [
                <UtcTime key="at" date={event.at} />,
                <span key="change" className="inline-flex flex-wrap items-center gap-1.5">
                  {event.fromState ? <LeaseStateBadge state={event.fromState} /> : <Muted>new</Muted>}
                  <span aria-label="to" className="text-ink-muted">
                    →
                  </span>
                  <LeaseStateBadge state={event.toState} />
                </span>,
                <Actor key="by" kind={event.actorKind} name={event.actorName} />,
                event.clientId === lease.clientId ? (
                  <Muted key="client">this client</Muted>
                ) : (
                  <span key="client" className="block max-w-56 truncate font-mono text-xs" title={event.clientId}>
                    {event.clientId}
                  </span>
                ),
                event.detail ? <span key="detail">{event.detail}</span> : <Muted key="detail">—</Muted>,
              ],
            }))}
          />
        )}
      </Card>
    </>
  );
}

function ClientIdFacts({ client }: { client: Lease["client"] }) {
  if (client.kind === "rfc4361") {
    return (
      <>
        <Fact label="Decoded (RFC 4361)">
          type 255: IAID and DUID
        </Fact>
        <Fact label="IAID">
          <span className="font-mono">{client.iaid}</span> <Muted>(0x{client.iaid.toString(16).padStart(8, "0")})</Muted>
        </Fact>
        <Fact label="DUID">
          <span className="font-medium">{client.duid.typeName}</span> <span className="font-mono text-xs break-all text-ink-muted">{client.duid.hex}</span>
        </Fact>
        {client.duid.fields.map(([label, value]) => (
          <Fact key={label} label={`DUID ${label.toLowerCase()}`}>
            <span className="font-mono text-xs break-all">{value}</span>
          </Fact>
        ))}
      </>
    );
  }
  if (client.kind === "hardware") {
    return (
      <Fact label="Decoded">
        hardware type {client.hardwareType}, address <span className="font-mono">{client.address}</span>
      </Fact>
    );
  }
  return (
    <Fact label="Decoded">
      <Muted>Not an RFC 4361 or hardware identifier; shown as hex</Muted>
    </Fact>
  );
}

function Actor({ kind, name }: { kind: string; name: string }) {
  const tone = kind === "operator" ? "accent" : kind === "system" ? "warning" : "neutral";
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap">
      <Badge tone={tone}>{kind}</Badge>
      {name && <span className="font-medium">{name}</span>}
    </span>
  );
}

function Facts({ children }: { children: ReactNode }) {
  return <dl className="grid grid-cols-1 gap-x-4 gap-y-2.5 text-sm sm:grid-cols-[11rem_1fr]">{children}</dl>;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-ink-muted">{label}</dt>
      <dd className="min-w-0 text-ink">{children}</dd>
    </>
  );
}

function UtcTime({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} className="whitespace-nowrap tabular-nums">
      {formatUtc(date)}
    </time>
  );
}

const Muted = ({ children }: { children: ReactNode }) => <span className="text-ink-muted">{children}</span>;
const Mono = ({ children }: { children: ReactNode }) => (children ? <span className="font-mono text-xs break-all">{children}</span> : <Muted>—</Muted>);

function SimpleTable({ caption, headers, rows }: { caption: string; headers: string[]; rows: { key: string | number; cells: ReactNode[] }[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-line bg-surface-muted/60">
            {headers.map((header) => (
              <th key={header} scope="col" className="px-4 py-2.5 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-ink-muted uppercase">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} className="border-b border-line align-top last:border-b-0">
              {row.cells.map((cell, index) => (
                <td key={index} className="px-4 py-2.5 text-ink">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
