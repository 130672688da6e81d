"use client";

import { useQuery } from "@tanstack/react-query";
import { formatUtc } from "@/components/format/time";
import { humanize, plural } from "@/components/format/words";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { TableSkeleton } from "@/components/ui/skeleton";
import { messageOf } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/client";
import type { RouterOutputs } from "../../_trpc/types";
import { AddOperatorForm } from "./add-operator-form";
import { OperatorActions } from "./operator-actions";

export type OperatorRow = RouterOutputs["operators"]["list"][number];

/** The admin's view: add an operator, then the list with each operator's actions. */
export function OperatorsPanel({ currentOperatorId }: { currentOperatorId: number }) {
  const trpc = useTRPC();
  const operators = useQuery(trpc.operators.list.queryOptions());

  const columns: Column<OperatorRow>[] = [
    {
      header: "Username",
      cell: (op) => (
        <span className="flex items-center gap-2 font-medium">
          <span>{op.username}</span>
          {op.id === currentOperatorId && <Badge>You</Badge>}
        </span>
      ),
    },
    { header: "Role", cell: (op) => <Badge tone={op.role === "ADMIN" ? "accent" : "neutral"}>{humanize(op.role)}</Badge> },
    { header: "Status", cell: (op) => (op.disabled ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Active</Badge>) },
    {
      header: "Last sign-in (UTC)",
      cell: (op) =>
        op.lastLoginAt ? <time dateTime={op.lastLoginAt.toISOString()} className="whitespace-nowrap tabular-nums">{formatUtc(op.lastLoginAt)}</time> : <span className="text-ink-muted">Never</span>,
    },
    { header: "Actions", cell: (op) => <OperatorActions operator={op} isSelf={op.id === currentOperatorId} /> },
  ];

  return (
    <div className="space-y-6">
      <AddOperatorForm />
      <Card aria-labelledby="operators-heading">
        <CardHeader id="operators-heading" title="Accounts" description={operators.data ? plural(operators.data.length, "account") : " "} />
        {operators.isPending ? (
          <TableSkeleton rows={3} label="Loading accounts" />
        ) : operators.isError ? (
          <div className="px-5 py-4">
            <Alert>Could not load the operators: {messageOf(operators.error)}</Alert>
          </div>
        ) : (
          <DataTable
            caption="Operators"
            columns={columns}
            rows={operators.data}
            rowKey={(op) => op.id}
            empty={<EmptyState title="No operators">This cannot normally happen: the first admin is created at start-up.</EmptyState>}
          />
        )}
      </Card>
    </div>
  );
}
