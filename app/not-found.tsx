import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-medium text-ink-muted">404</p>
      <h1 className="text-xl font-semibold text-ink">There is no such page</h1>
      <Link href="/" className={buttonClasses("secondary", "sm", "mt-2")}>
        Back to the dashboard
      </Link>
    </main>
  );
}
