// The pool rules for the console's pool form: the same zod schema the pools router enforces
// (server/alloc/pool-spec.ts), so the form shows the server's own messages before sending.
// Bundled into the browser: pool-spec.ts is pure (zod, ipaddr.js, server/psid), no I/O.

export { MAX_POOL_SLOTS, poolFieldErrors, poolFieldsSchema, poolInputSchema, type PoolInput, type PoolPlan } from "../../alloc/pool-spec";
