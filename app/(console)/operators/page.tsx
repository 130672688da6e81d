import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireOperator } from "../../_auth/session";
import { SECTIONS } from "../_lib/sections";
import { OperatorsPanel } from "./operators-panel";

export const metadata: Metadata = { title: "Operators" };

export default async function OperatorsPage() {
  const operator = await requireOperator();
  return (
    <>
      <PageHeader title={SECTIONS.operators.title} description={SECTIONS.operators.description} />
      {operator.role === "ADMIN" ? (
        <OperatorsPanel currentOperatorId={operator.id} />
      ) : (
        // The server refuses every operators.* call from a viewer (403) whatever the page shows;
        // this just says so instead of showing forms that cannot work.
        <Card>
          <EmptyState title="Managing operators needs the admin role">
            You are signed in as <strong className="text-ink">{operator.username}</strong>, a viewer. Ask an admin to add an operator, change a role,
            disable an account or reset a password.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
