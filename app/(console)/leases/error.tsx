"use client";

import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { SECTIONS } from "../_lib/sections";

/**
 * The lease pages could not be loaded (the database did not answer, the server failed): say so
 * where the table would be, and offer to try again. Production builds hide the server's message
 * and show its digest, which is in the server log.
 */
export default function LeasesError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error && typeof error === "object" && "digest" in error ? String((error as { digest: unknown }).digest) : undefined;
  const message = error instanceof Error && !digest ? error.message : undefined;
  return (
    <>
      <PageHeader title={SECTIONS.leases.title} description={SECTIONS.leases.description} />
      <Card>
        <CardBody className="space-y-4">
          <Alert>
            The leases could not be loaded{message ? `: ${message}` : "."}
            {digest && <span className="block text-xs">Error reference {digest} (see the server log).</span>}
          </Alert>
          <div className="flex gap-2">
            <Button variant="primary" onClick={retry}>
              Try again
            </Button>
            <Link href="/leases" className={buttonClasses("ghost")}>
              All leases
            </Link>
          </div>
        </CardBody>
      </Card>
    </>
  );
}
