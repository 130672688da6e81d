"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "./button";
import { cn } from "./cn";

export interface ConfirmDialogProps {
  open: boolean;
  /** Closed by Escape, Cancel or a click on the backdrop (not while `pending`). */
  onClose: () => void;
  title: string;
  /** What will happen; read out when the dialog opens (aria-describedby). */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  /** False while the dialog is not ready to confirm (e.g. still counting). */
  canConfirm?: boolean;
  tone?: "danger" | "primary";
  /** Extra content below the description: an input, an error. */
  footer?: ReactNode;
}

/**
 * A modal confirmation built on the native <dialog>: the browser traps focus inside it, closes
 * it with Escape and makes the page behind it inert, so it is keyboard-usable without extra code.
 * Focus starts on Cancel, so Enter right after opening does not destroy anything.
 */
export function ConfirmDialog({ open, onClose, title, children, confirmLabel, onConfirm, pending = false, canConfirm = true, tone = "danger", footer }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> element itself.
        if (event.target === ref.current && !pending) onClose();
      }}
      className={cn(
        "m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-line bg-surface p-0 text-ink shadow-xl",
        "backdrop:bg-black/50 backdrop:backdrop-blur-[1px]",
      )}
    >
      <div className="space-y-4 px-5 py-5">
        <h2 id={titleId} className="text-lg font-semibold text-ink">
          {title}
        </h2>
        <div id={bodyId} className="space-y-2 text-sm text-ink">
          {children}
        </div>
        {footer}
      </div>
      <div className="flex justify-end gap-2 border-t border-line bg-surface-muted/60 px-5 py-3">
        <Button ref={cancelRef} variant="secondary" onClick={onClose} disabled={pending}>
          Cancel
        </Button>
        <Button variant={tone === "danger" ? "danger" : "primary"} onClick={onConfirm} pending={pending} disabled={!canConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
