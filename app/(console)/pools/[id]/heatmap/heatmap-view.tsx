"use client";

import { skipToken, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { formatIPv4 } from "@/components/format/ipv4";
import { formatUtc } from "@/components/format/time";
import { plural } from "@/components/format/words";
import { HeatCanvas, type CellAnchor, type HeatGrid } from "@/components/heatmap/heat-canvas";
import { decodeBase64, decodeUint32 } from "@/components/heatmap/decode";
import { HeatLegend } from "@/components/heatmap/heat-legend";
import { heatStyleOf, HEAT_LEGEND_ORDER } from "@/components/heatmap/heat-states";
import { HeatTooltip } from "@/components/heatmap/heat-tooltip";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { messageOf } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/client";
import type { RouterOutputs } from "../../../../_trpc/types";

type Overview = RouterOutputs["heatmap"]["pool"];
type Layout = Overview["layout"];
type Tiles = Overview["blocks"];
type Cells = RouterOutputs["heatmap"]["cells"];

/** Whole pool (a tile per /24) → one /24 (cells, or a tile per address when it has too many) → a window of cells. */
type View = { level: "pool" } | { level: "block"; first: number } | { level: "window"; first: number; count: number };

/** How often the zoomed-in views ask again (a window costs milliseconds) … */
const REFRESH_MS = 10_000;
/** … and the whole-pool tiles (a GROUP BY over every live lease of the pool: about a second per million on SQLite). */
const OVERVIEW_REFRESH_MS = 30_000;
const HOVER_DELAY_MS = 120;
const BLOCK = 256;
/** Cell states whose slot has a lease to open. */
const LEASED = new Set(["bound", "offered", "quarantined"]);
const INSTRUCTIONS = "Arrow keys move the highlighted cell, Page Up and Page Down move by eight rows, Enter opens it, Escape zooms out.";

const ip = (address: number) => formatIPv4(address);
/** Tiles per row: whole /20s (16 /24s) per row for up to a /16, /16s per row beyond. */
const flowColumns = (items: number) => (items <= 16 ? Math.max(1, items) : items <= 1024 ? 16 : 64);

/** A window of addresses that fits the cell budget, aligned inside its /24. */
function windowSize(layout: Layout): number {
  return Math.max(1, Math.min(BLOCK, Math.floor(layout.maxCells / layout.psidCount)));
}

/** Whether a whole /24 fits in one window of cells. */
const blockFits = (layout: Layout) => BLOCK * layout.psidCount <= layout.maxCells;

function useSettled<T>(value: T | null, delay: number): T | null {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), value === null ? 0 : delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

interface GridView {
  grid: HeatGrid;
  columns: number;
  first: number;
  label: string;
  itemLabel: (item: number) => string;
  columnLabel?: (column: number) => string;
  labelWidth: number;
  maxCellSize: number;
  totals: Record<string, number>;
  /** What the heat map shows, in words, e.g. "100.64.0.0/24: 256 addresses × 64 PSIDs". */
  caption: string;
}

function tilesGrid(tiles: Tiles): Extract<HeatGrid, { kind: "tiles" }> {
  return { kind: "tiles", states: tiles.states, counts: decodeUint32(tiles.counts), items: tiles.count };
}

function cellsGrid(cells: Cells): Extract<HeatGrid, { kind: "cells" }> {
  return { kind: "cells", states: cells.states, data: decodeBase64(cells.cells), items: cells.count, perItem: cells.psidCount };
}

function countsOf(grid: Extract<HeatGrid, { kind: "tiles" }>, item: number): Record<string, number> {
  return Object.fromEntries(grid.states.map((state, s) => [state, grid.counts[item * grid.states.length + s] ?? 0]));
}

const slotCount = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
const inUse = (counts: Record<string, number>) => (counts.bound ?? 0) + (counts.offered ?? 0) + (counts.quarantined ?? 0) + (counts.reserved ?? 0);

/**
 * The PSID heat map of one pool, drawn on a canvas: zoom from the whole pool (a tile per /24)
 * into a /24 and its addresses × PSIDs, hover or arrow to a cell for its port ranges and client,
 * click or Enter to open its lease.
 */
export function HeatmapView({ poolId }: { poolId: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.heatmap.pool.queryOptions({ id: poolId }, { refetchInterval: OVERVIEW_REFRESH_MS }));
  const [chosen, setChosen] = useState<View | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [hover, setHover] = useState<{ index: number; anchor: CellAnchor } | null>(null);
  const [openError, setOpenError] = useState<string>();
  /** Whether the operator zoomed: the new map then takes the focus, so the keyboard stays on it. */
  const [zoomed, setZoomed] = useState(false);

  const layout = overview.data?.layout;
  const blocks = overview.data?.blocks;
  const singleBlock = blocks !== undefined && blocks.count === 1;
  const blocksFirst = blocks?.first;
  const view = useMemo<View | null>(
    () => chosen ?? (blocksFirst === undefined ? null : singleBlock ? { level: "block", first: blocksFirst } : { level: "pool" }),
    [chosen, blocksFirst, singleBlock],
  );

  // What the current view needs from the server besides the overview.
  let cellsInput: { id: number; first: number; count: number } | null = null;
  let addressesInput: { id: number; first: number; count: number } | null = null;
  if (view && layout) {
    if (view.level === "window") cellsInput = { id: poolId, first: view.first, count: view.count };
    else if (view.level === "block") {
      if (blockFits(layout)) cellsInput = { id: poolId, first: view.first, count: BLOCK };
      else addressesInput = { id: poolId, first: view.first, count: BLOCK };
    }
  }
  const byAddress = addressesInput !== null;
  const cells = useQuery(trpc.heatmap.cells.queryOptions(cellsInput ?? skipToken, { refetchInterval: REFRESH_MS }));
  const addresses = useQuery(trpc.heatmap.addresses.queryOptions(addressesInput ?? skipToken, { refetchInterval: REFRESH_MS }));

  const current: GridView | null = useMemo(() => {
    if (!view || !layout || !blocks) return null;
    if (view.level === "pool") {
      const grid = tilesGrid(blocks);
      return {
        grid,
        columns: flowColumns(grid.items),
        first: blocks.first,
        label: `Heat map of pool ${layout.name}: ${plural(grid.items, "block")} of 256 addresses`,
        itemLabel: (item) => `${ip(blocks.first + item * BLOCK)}/24`,
        labelWidth: 136,
        // A handful of /24s get big tiles (with their percentage in use); many, small ones.
        maxCellSize: grid.items <= 16 ? 88 : 48,
        totals: blocks.totals,
        caption: `Whole pool: ${plural(grid.items, "/24 block")}, each tile stacked by cell state`,
      };
    }
    if (view.level === "block" && byAddress) {
      if (!addresses.data) return null;
      const tiles = addresses.data;
      const grid = tilesGrid(tiles);
      return {
        grid,
        columns: 16,
        first: tiles.first,
        label: `Heat map of ${ip(view.first)}/24 in pool ${layout.name}: ${plural(grid.items, "address", "addresses")}, each a tile of ${layout.psidCount} PSIDs`,
        itemLabel: (item) => ip(tiles.first + item),
        labelWidth: 112,
        maxCellSize: grid.items <= 16 ? 72 : 40,
        totals: tiles.totals,
        caption: `${ip(view.first)}/24: ${plural(grid.items, "address", "addresses")}, each tile its ${layout.psidCount.toLocaleString("en-US")} PSIDs`,
      };
    }
    if (!cells.data) return null;
    const window = cells.data;
    const grid = cellsGrid(window);
    const dedicated = window.psidCount === 1;
    const scope = view.level === "block" ? `${ip(view.first)}/24` : `${ip(window.first)} – ${ip(window.first + window.count - 1)}`;
    return {
      grid,
      columns: dedicated ? 16 : Math.min(window.psidCount, 256),
      first: window.first,
      label: dedicated
        ? `Heat map of ${scope} in pool ${layout.name}: ${plural(window.count, "address", "addresses")}, one cell each`
        : `Heat map of ${scope} in pool ${layout.name}: ${plural(window.count, "address", "addresses")} × ${layout.psidCount} PSIDs`,
      itemLabel: (item) => ip(window.first + item),
      columnLabel: dedicated ? (column) => `+${column}` : (column) => String(column),
      labelWidth: 112,
      maxCellSize: dedicated ? 40 : 22,
      totals: window.totals,
      caption: dedicated ? `${scope}: one cell per address` : `${scope}: a row per address, a column per PSID`,
    };
  }, [view, layout, blocks, byAddress, addresses.data, cells.data]);

  // --- the cell under the pointer (or the keyboard's highlight) ---
  const cellOf = useCallback(
    (index: number) => {
      if (!current || current.grid.kind !== "cells") return null;
      const perItem = current.grid.perItem;
      const address = current.first + Math.floor(index / perItem);
      const psid = index % perItem;
      return { address, psid, state: current.grid.states[current.grid.data[index]!] ?? "free" };
    },
    [current],
  );
  const hoveredCell = hover ? cellOf(hover.index) : null;
  const hoveredAddress = hoveredCell?.address;
  const hoveredPsid = hoveredCell?.psid;
  const slotKey = useMemo(
    () => (hoveredAddress === undefined || hoveredPsid === undefined ? null : { id: poolId, address: hoveredAddress, psid: hoveredPsid }),
    [poolId, hoveredAddress, hoveredPsid],
  );
  const settledSlot = useSettled(slotKey, HOVER_DELAY_MS);
  const slot = useQuery(trpc.heatmap.slot.queryOptions(settledSlot ?? skipToken, { staleTime: 5_000 }));
  const slotData = slot.data && hoveredCell && slot.data.address === hoveredCell.address && (slot.data.psid ?? 0) === hoveredCell.psid ? slot.data : undefined;

  const go = (next: View) => {
    setZoomed(true);
    setChosen(next);
    setHighlight(null);
    setHover(null);
    setOpenError(undefined);
  };
  const zoomOut = () => {
    if (!view || !blocks) return;
    if (view.level === "window") go({ level: "block", first: Math.floor(view.first / BLOCK) * BLOCK });
    else if (view.level === "block" && !singleBlock) go({ level: "pool" });
  };

  const activate = async (index: number) => {
    if (!current || !layout || !view) return;
    if (view.level === "pool") {
      go({ level: "block", first: current.first + index * BLOCK });
      return;
    }
    if (current.grid.kind === "tiles") {
      const size = windowSize(layout);
      const address = current.first + index;
      go({ level: "window", first: view.first + Math.floor((address - view.first) / size) * size, count: size });
      return;
    }
    const cell = cellOf(index);
    if (!cell || !LEASED.has(cell.state)) return;
    setOpenError(undefined);
    try {
      const detail = await queryClient.fetchQuery(trpc.heatmap.slot.queryOptions({ id: poolId, address: cell.address, psid: cell.psid }));
      if (detail.lease) router.push(`/leases/${detail.lease.id}`);
      else setOpenError(`${ip(cell.address)}${layout.kind === "SHARED" ? ` PSID ${cell.psid}` : ""} has no lease any more; the map refreshes in a moment.`);
    } catch (error) {
      setOpenError(messageOf(error));
    }
  };

  const describe = (index: number): string => {
    if (!current || !layout) return "";
    if (current.grid.kind === "tiles") {
      const counts = countsOf(current.grid, index);
      const what = view?.level === "pool" ? `${ip(current.first + index * BLOCK)}/24` : ip(current.first + index);
      return `${what}: ${inUse(counts).toLocaleString("en-US")} of ${slotCount(counts).toLocaleString("en-US")} slots in use, ${(counts.bound ?? 0).toLocaleString("en-US")} bound`;
    }
    const cell = cellOf(index);
    if (!cell) return "";
    return `${ip(cell.address)}${layout.kind === "SHARED" ? `, PSID ${cell.psid}` : ""}: ${heatStyleOf(cell.state).label}${LEASED.has(cell.state) ? ", Enter opens the lease" : ""}`;
  };

  // --- rendering ---
  if (overview.isError) return <Alert>Could not load the heat map: {messageOf(overview.error)}</Alert>;
  if (!layout || !blocks || !view) return <HeatmapSkeleton />;
  const levelError = cells.error ?? addresses.error;
  const windowCount = view.level === "window" ? view.count : 0;
  const blockFirst = view.level === "pool" ? null : Math.floor(view.first / BLOCK) * BLOCK;
  const lastBlock = blocks.first + (blocks.count - 1) * BLOCK;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_17rem]">
      <Card aria-labelledby="heatmap-heading">
        <CardHeader
          id="heatmap-heading"
          title={
            <nav aria-label="Zoom level">
              <ol className="flex flex-wrap items-center gap-1.5">
                <ZoomStep current={view.level === "pool"} disabled={singleBlock} onClick={() => go({ level: "pool" })}>
                  Whole pool
                </ZoomStep>
                {blockFirst !== null && (
                  <>
                    <li aria-hidden className="text-ink-muted">
                      ›
                    </li>
                    <ZoomStep current={view.level === "block"} onClick={() => go({ level: "block", first: blockFirst })}>
                      {`${ip(blockFirst)}/24`}
                    </ZoomStep>
                  </>
                )}
                {view.level === "window" && (
                  <>
                    <li aria-hidden className="text-ink-muted">
                      ›
                    </li>
                    <ZoomStep current>{`${ip(Math.max(view.first, layout.firstAddress))} – ${ip(Math.min(view.first + view.count - 1, layout.lastAddress))}`}</ZoomStep>
                  </>
                )}
              </ol>
            </nav>
          }
          description={current?.caption ?? " "}
          actions={
            <>
              {view.level === "block" && !singleBlock && (
                <>
                  <Button size="sm" disabled={view.first <= blocks.first} onClick={() => go({ level: "block", first: view.first - BLOCK })} aria-label="Previous /24">
                    ← /24
                  </Button>
                  <Button size="sm" disabled={view.first >= lastBlock} onClick={() => go({ level: "block", first: view.first + BLOCK })} aria-label="Next /24">
                    /24 →
                  </Button>
                </>
              )}
              {view.level === "window" && (
                <>
                  <Button size="sm" disabled={view.first <= layout.firstAddress} onClick={() => go({ ...view, first: view.first - windowCount })} aria-label="Previous addresses">
                    ← Previous
                  </Button>
                  <Button size="sm" disabled={view.first + windowCount > layout.lastAddress} onClick={() => go({ ...view, first: view.first + windowCount })} aria-label="Next addresses">
                    Next →
                  </Button>
                </>
              )}
              <Button size="sm" variant="ghost" disabled={view.level === "pool" || (view.level === "block" && singleBlock)} onClick={zoomOut}>
                Zoom out
              </Button>
            </>
          }
        />
        <CardBody className="space-y-3">
          {openError && <Alert>{openError}</Alert>}
          {levelError ? (
            <Alert>Could not load this part of the heat map: {messageOf(levelError)}</Alert>
          ) : current ? (
            <HeatCanvas
              key={`${view.level}-${current.first}`}
              grid={current.grid}
              columns={current.columns}
              itemLabel={current.itemLabel}
              columnLabel={current.columnLabel}
              labelWidth={current.labelWidth}
              maxCellSize={current.maxCellSize}
              highlight={highlight}
              onHighlightChange={setHighlight}
              onActivate={(index) => void activate(index)}
              onHover={(index, anchor) => setHover(index === null || anchor === null ? null : { index, anchor })}
              onZoomOut={zoomOut}
              label={current.label}
              instructions={INSTRUCTIONS}
              describe={describe}
              data={{ level: view.level, first: current.first, "psid-count": layout.psidCount }}
              autoFocus={zoomed}
            />
          ) : (
            <CanvasSkeleton />
          )}
          <p className="text-xs text-ink-muted">
            {view.level === "pool" || current?.grid.kind === "tiles"
              ? "Each tile is a column of its slots by state: in use from the bottom, excluded from the top. Click a tile, or press Enter on it, to zoom in."
              : layout.kind === "SHARED"
                ? "Hover a cell for its port ranges and client; click a leased cell, or press Enter on it, to open its lease."
                : "Hover an address for its client; click a leased one, or press Enter on it, to open its lease."}
          </p>
        </CardBody>
      </Card>

      <div className="space-y-4 lg:sticky lg:top-4">
        <Card aria-labelledby="heatmap-legend-heading">
          <CardHeader id="heatmap-legend-heading" title="Legend" description="Slots in this view" />
          <CardBody>
            <HeatLegend totals={current?.totals} />
          </CardBody>
        </Card>
        <Card aria-labelledby="heatmap-pool-heading">
          <CardHeader id="heatmap-pool-heading" title="Pool" />
          <CardBody className="space-y-3 text-sm">
            <dl className="space-y-2">
              <Fact label="Range" value={<span className="font-mono">{layout.range}</span>} />
              <Fact label="Addresses" value={layout.addressCount.toLocaleString("en-US")} />
              {layout.kind === "SHARED" && (
                <Fact
                  label="PSIDs per address"
                  value={`${layout.psidCount.toLocaleString("en-US")}, ${layout.usablePsidsPerAddress.toLocaleString("en-US")} usable (a = ${layout.psidOffset}, k = ${layout.psidLength})`}
                />
              )}
              <Fact label="Capacity" value={`${layout.capacity.toLocaleString("en-US")} ${layout.kind === "SHARED" ? "port sets" : "addresses"}`} />
            </dl>
            {layout.kind === "SHARED" && (
              <div>
                <h3 className="mb-1 text-xs font-semibold tracking-wide text-ink-muted uppercase">Excluded PSIDs</h3>
                {layout.exclusions.length === 0 ? (
                  <p className="text-ink-muted">None: every PSID is handed out.</p>
                ) : (
                  <ul className="space-y-1">
                    {layout.exclusions.map((exclusion) => (
                      <li key={exclusion.psids + exclusion.why}>
                        <span className="font-medium text-ink">{exclusion.psids}</span> <span className="text-ink-muted">— {exclusion.why}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
          </CardBody>
        </Card>
      </div>

      {hover && current && (
        <HeatTooltip anchor={hover.anchor}>
          {current.grid.kind === "tiles" ? (
            <TileTooltip title={view.level === "pool" ? `${ip(current.first + hover.index * BLOCK)}/24` : ip(current.first + hover.index)} counts={countsOf(current.grid, hover.index)} />
          ) : hoveredCell ? (
            <CellTooltip cell={hoveredCell} shared={layout.kind === "SHARED"} slot={slotData} loading={!slotData && !slot.isError} />
          ) : null}
        </HeatTooltip>
      )}
    </div>
  );
}

function ZoomStep({ current, disabled, onClick, children }: { current?: boolean; disabled?: boolean; onClick?: () => void; children: ReactNode }) {
  return (
    <li>
      {current || !onClick ? (
        <span aria-current={current ? "location" : undefined} className="font-semibold text-ink">
          {children}
        </span>
      ) : (
        <button
          type="button"
          disabled={disabled}
          onClick={onClick}
          className="rounded font-semibold text-accent underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent disabled:text-ink-muted disabled:no-underline"
        >
          {children}
        </button>
      )}
    </li>
  );
}

function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-ink-muted">{label}</dt>
      <dd className="text-ink tabular-nums">{value}</dd>
    </div>
  );
}

function TileTooltip({ title, counts }: { title: string; counts: Record<string, number> }) {
  const total = slotCount(counts);
  return (
    <>
      <p className="font-mono font-semibold">{title}</p>
      <p className="mb-1.5 text-xs text-ink-muted">
        {inUse(counts).toLocaleString("en-US")} of {total.toLocaleString("en-US")} slots in use
      </p>
      <ul className="space-y-0.5 text-xs">
        {HEAT_LEGEND_ORDER.filter((state) => (counts[state] ?? 0) > 0).map((state) => (
          <li key={state} className="flex items-center gap-2">
            <span aria-hidden className={`size-2.5 rounded-sm ${heatStyleOf(state).swatch}`} />
            <span>{heatStyleOf(state).label}</span>
            <span className="ml-auto tabular-nums">{(counts[state] ?? 0).toLocaleString("en-US")}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

type Slot = RouterOutputs["heatmap"]["slot"];

function CellTooltip({ cell, shared, slot, loading }: { cell: { address: number; psid: number; state: string }; shared: boolean; slot: Slot | undefined; loading: boolean }) {
  const style = heatStyleOf(cell.state);
  const lease = slot?.lease && slot.lease.holdsSlot ? slot.lease : null;
  return (
    <>
      <p className="flex items-baseline justify-between gap-2">
        <span className="font-mono font-semibold">{ip(cell.address)}</span>
        {shared && <span className="text-xs font-medium text-ink-muted">PSID {cell.psid}</span>}
      </p>
      <p className="mb-1.5 flex items-center gap-2 text-xs">
        <span aria-hidden className={`size-2.5 rounded-sm ${style.swatch}`} />
        <span className="font-medium">{style.label}</span>
        <span className="text-ink-muted">{style.meaning}</span>
      </p>
      {slot ? (
        <dl className="space-y-1 text-xs">
          <div>
            <dt className="text-ink-muted">Ports</dt>
            <dd className="font-mono break-words">
              {slot.ports.firstRanges.join(", ")}
              {slot.ports.lastRanges.length > 0 && ` … ${slot.ports.lastRanges.join(", ")}`}
            </dd>
            <dd className="text-ink-muted">{slot.ports.summary}</dd>
          </div>
          {slot.excludedBy.length > 0 && (
            <div>
              <dt className="text-ink-muted">Excluded by</dt>
              <dd>{slot.excludedBy.join("; ")}</dd>
            </div>
          )}
          {lease && (
            <>
              <div>
                <dt className="text-ink-muted">Client</dt>
                <dd className="font-mono break-all">{lease.clientId}</dd>
              </div>
              <div>
                <dt className="text-ink-muted">{lease.state === "REVOKED" || lease.state === "DECLINED" ? "Quarantined until (UTC)" : "Expires (UTC)"}</dt>
                <dd className="tabular-nums">{formatUtc(lease.quarantineUntil && !["OFFERED", "BOUND"].includes(lease.state) ? lease.quarantineUntil : lease.expiresAt)}</dd>
              </div>
            </>
          )}
          {slot.reservation && (
            <div>
              <dt className="text-ink-muted">Reserved for</dt>
              <dd className="font-mono break-all">{slot.reservation.clientId}</dd>
            </div>
          )}
        </dl>
      ) : loading ? (
        <div className="space-y-1.5" aria-hidden>
          <Skeleton className="h-3 w-3/4" />
          <Skeleton className="h-3 w-1/2" />
        </div>
      ) : (
        <p className="text-xs text-ink-muted">Details could not be loaded.</p>
      )}
    </>
  );
}

function CanvasSkeleton() {
  return (
    <div role="status" aria-label="Loading the heat map" className="space-y-2">
      <Skeleton className="h-4 w-1/3" />
      <Skeleton className="h-72 w-full" />
    </div>
  );
}

/** The heat map's shape in grey while the pool's layout loads. */
export function HeatmapSkeleton() {
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_17rem]">
      <Card>
        <div className="border-b border-line px-5 py-4">
          <Skeleton className="h-5 w-40" />
          <Skeleton className="mt-2 h-4 w-64" />
        </div>
        <CardBody>
          <CanvasSkeleton />
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Legend" description="Slots in this view" />
        <CardBody>
          <HeatLegend />
        </CardBody>
      </Card>
    </div>
  );
}
