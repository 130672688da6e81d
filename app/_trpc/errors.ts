import { TRPCClientError } from "@trpc/client";

/**
 * The per-field messages the server attached to a failed call (server/api/trpc.ts puts zod
 * issues and domain-rule errors in `data.fieldErrors`), e.g. { username: "… already exists" }.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const fieldErrors: unknown = error.data?.fieldErrors;
  return fieldErrors && typeof fieldErrors === "object" ? (fieldErrors as Record<string, string>) : {};
}

/** A message to show for a failed call. */
export function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return error instanceof Error ? error.message : "Something went wrong; try again";
}

/** The tRPC error code ("UNAUTHORIZED", "FORBIDDEN", …) of a failed call, if it has one. */
export function codeOf(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const code: unknown = error.data?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * How many live leases a refused change would revoke: the server answers a delete or a shrink
 * without `confirm` with CONFLICT and this count (server/api/trpc.ts), so the console can ask.
 */
export function affectedLeasesOf(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const count: unknown = error.data?.affectedLeases;
  return typeof count === "number" ? count : undefined;
}
