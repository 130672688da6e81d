import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireOperator } from "../../../_auth/session";
import { PoolBreadcrumb } from "../_components/pool-breadcrumb";
import { PoolEditor } from "../_components/pool-editor";

export const metadata: Metadata = { title: "New pool" };

export default async function NewPoolPage() {
  const operator = await requireOperator();
  return (
    <>
      <PoolBreadcrumb current="New pool" />
      <PageHeader title="New pool" description="A range of IPv4 addresses, handed out whole or shared by port set. The preview shows what it gives as you type." />
      {operator.role === "ADMIN" ? (
        <PoolEditor canEdit />
      ) : (
        // The server refuses pools.create from a viewer (403) whatever the page shows.
        <Card>
          <EmptyState title="Creating pools needs the admin role">
            You are signed in as <strong className="text-ink">{operator.username}</strong>, a viewer. Ask an admin to create the pool.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
