import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { signedInCaller } from "../../../_auth/session";
import type { RouterOutputs } from "../../../_trpc/types";

export type PoolDetail = RouterOutputs["pools"]["get"];

/** The pool of a /pools/<id> URL, or the 404 page for an id that is not one. */
export async function loadPool(idText: string): Promise<PoolDetail> {
  if (!/^\d{1,9}$/.test(idText)) notFound();
  try {
    return await (await signedInCaller()).pools.get({ id: Number(idText) });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}
