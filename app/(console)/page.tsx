import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireOperator } from "../_auth/session";
import { SECTIONS } from "./_lib/sections";
import { DashboardPanel } from "./dashboard-panel";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  await requireOperator();
  return (
    <>
      <PageHeader title={SECTIONS.dashboard.title} description={SECTIONS.dashboard.description} />
      <DashboardPanel />
    </>
  );
}
