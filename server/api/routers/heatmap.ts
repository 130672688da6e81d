import { z } from "zod";
import { addressTiles, heatCells, heatSlot, poolHeatmap, MAX_HEATMAP_CELLS, MAX_HEATMAP_TILES } from "../../alloc/heatmap";
import { router, viewerProcedure } from "../trpc";

// The PSID heat map of a pool (server/alloc/heatmap.ts computes it): read-only, for every
// signed-in operator.

const id = z.number({ error: "id must be a pool id" }).int("id must be a pool id").positive("id must be a pool id");
const address = (label: string) =>
  z.number({ error: `${label} must be an IPv4 address as a number` }).int(`${label} must be a whole number`).min(0, `${label} is not an IPv4 address`).max(0xffff_ffff, `${label} is not an IPv4 address`);
const count = (most: number) =>
  z.number({ error: "count must be a number" }).int("count must be a whole number").min(1, "count is at least 1").max(most, `count is at most ${most}`);

export const heatmapRouter = router({
  /** The pool's layout (PSIDs, exclusions) and one tile of counts per /24: the zoomed-out view. */
  pool: viewerProcedure.input(z.object({ id })).query(({ ctx, input }) => poolHeatmap(ctx.db, input.id)),

  /** One tile of counts per address, for `count` addresses from `first`. */
  addresses: viewerProcedure
    .input(z.object({ id, first: address("first"), count: count(MAX_HEATMAP_TILES) }))
    .query(({ ctx, input }) => addressTiles(ctx.db, input.id, input.first, input.count)),

  /** The cells (one byte per address × PSID) of `count` addresses from `first`. */
  cells: viewerProcedure
    .input(z.object({ id, first: address("first"), count: count(MAX_HEATMAP_CELLS) }))
    .query(({ ctx, input }) => heatCells(ctx.db, input.id, input.first, input.count)),

  /** One slot: state, port ranges, lease and reservation (the tooltip, and the link to the lease). */
  slot: viewerProcedure
    .input(z.object({ id, address: address("address"), psid: z.number({ error: "psid must be a number" }).int("psid must be a whole number").min(0, "psid is at least 0").max(65_535, "psid is at most 65535") }))
    .query(({ ctx, input }) => heatSlot(ctx.db, input.id, input.address, input.psid)),
});
