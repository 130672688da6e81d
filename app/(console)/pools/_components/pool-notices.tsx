"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";

export interface PoolNotice {
  tone: "success" | "danger";
  text: string;
}

const NoticeContext = createContext<{ notice: PoolNotice | undefined; show: (notice: PoolNotice | undefined) => void } | null>(null);

/**
 * Where the outcome of a pool action (enabled, disabled instead of deleted …) is told: one place
 * on the page (PoolNoticeOutlet), not squeezed into the table cell or header the buttons sit in.
 */
export function PoolNotices({ children }: { children: ReactNode }) {
  const [notice, show] = useState<PoolNotice>();
  return <NoticeContext value={{ notice, show }}>{children}</NoticeContext>;
}

export function PoolNoticeOutlet({ className }: { className?: string }) {
  const context = useContext(NoticeContext);
  if (!context?.notice) return null;
  return (
    <Alert tone={context.notice.tone} className={className}>
      {context.notice.text}
    </Alert>
  );
}

/** Shows a notice in the page's outlet; null outside PoolNotices (the caller then shows it itself). */
export function usePoolNotice(): ((notice: PoolNotice | undefined) => void) | null {
  return useContext(NoticeContext)?.show ?? null;
}
