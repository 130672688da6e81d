import type { Metadata } from "next";
import { formatUtc } from "@/components/format/time";
import { Card } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { signedInCaller } from "../../_auth/session";
import type { RouterOutputs } from "../../_trpc/types";
import { pageParam, stringParam, type SearchParams } from "../_lib/search-params";
import { SECTIONS } from "../_lib/sections";
import { AuditDetails, AuditTarget } from "./audit-details";
import { AuditFilters } from "./audit-filters";

export const metadata: Metadata = { title: "Audit" };

const PAGE_SIZE = 50;

type AuditRow = RouterOutputs["audit"]["list"]["rows"][number];

const columns: Column<AuditRow>[] = [
  { header: "Time (UTC)", cell: (row) => <time dateTime={row.at.toISOString()} className="whitespace-nowrap tabular-nums">{formatUtc(row.at)}</time> },
  { header: "Operator", cell: (row) => <span className="font-medium">{row.actor}</span> },
  { header: "Action", cell: (row) => <code className="rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs whitespace-nowrap">{row.action}</code> },
  { header: "Target", cell: (row) => <AuditTarget target={row.target} />, className: "max-w-64" },
  { header: "Before → after", cell: (row) => <AuditDetails action={row.action} before={row.before} after={row.after} /> },
];

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const filters = { actor: stringParam(params, "actor"), action: stringParam(params, "action") };
  const page = pageParam(params);
  const api = await signedInCaller();
  const [{ total, rows }, choices] = await Promise.all([api.audit.list({ ...filters, page, pageSize: PAGE_SIZE }), api.audit.filters()]);
  const filtered = Boolean(filters.actor || filters.action);

  return (
    <>
      <PageHeader title={SECTIONS.audit.title} description={SECTIONS.audit.description} />
      <Card>
        <AuditFilters actors={choices.actors} actions={choices.actions} actor={filters.actor} action={filters.action} />
        <DataTable
          caption="Audit log"
          columns={columns}
          rows={rows}
          rowKey={(row) => row.id}
          empty={
            <EmptyState title={filtered ? "No entries match these filters" : total === 0 ? "No audit entries yet" : `There is no page ${page}`}>
              {filtered ? "Choose another operator or action, or clear the filters." : "Operator actions are recorded here as they happen."}
            </EmptyState>
          }
        />
        {total > 0 && <Pagination page={page} pageSize={PAGE_SIZE} total={total} path="/audit" query={filters} />}
      </Card>
    </>
  );
}
