import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";

/** The tRPC API called directly from server components, as the signed-in operator. */
export const getCaller = cache(async () => createCaller(await createContext({ headers: await headers() })));
