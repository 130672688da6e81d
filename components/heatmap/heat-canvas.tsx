"use client";

import { useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type MouseEvent } from "react";
import { heatStyleOf } from "./heat-states";

// One <canvas> for the whole grid, never one DOM node per cell: a window holds up to 65536 cells.
// Two layouts:
// - "rows": cells of items (addresses) that each have `perItem` cells (PSIDs); an item takes
//   ceil(perItem / columns) rows, with a small gap between items when it takes several;
// - "flow": one cell per item (a /24 tile, an address tile, a dedicated address), `columns` per row.
// The canvas is focusable: arrow keys move a highlighted cell, Enter opens it, Escape zooms out.

export type HeatGrid =
  /** One state per cell: `data[item × perItem + p]` indexes `states`. */
  | { kind: "cells"; states: readonly string[]; data: Uint8Array; items: number; perItem: number }
  /** Counts per state for each item: `counts[item × states.length + s]`. */
  | { kind: "tiles"; states: readonly string[]; counts: Uint32Array; items: number };

/** Where a cell is on screen (viewport pixels), for a tooltip. */
export interface CellAnchor {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface HeatCanvasProps {
  grid: HeatGrid;
  /** Cells per row. */
  columns: number;
  /** Label of an item (rows layout) or of the first item of a row (flow layout), drawn on the left. */
  itemLabel: (item: number) => string;
  labelWidth: number;
  /** Labels above the columns (e.g. PSID numbers); drawn as far apart as they fit. */
  columnLabel?: (column: number) => string;
  maxCellSize?: number;
  highlight: number | null;
  onHighlightChange: (index: number) => void;
  onActivate: (index: number) => void;
  onHover: (index: number | null, anchor: CellAnchor | null) => void;
  onZoomOut?: () => void;
  /** The canvas's accessible name. */
  label: string;
  /** Read out with the name: what the keys do. */
  instructions: string;
  /** One line about a cell, announced when the highlight moves. */
  describe: (index: number) => string;
  /** Extra data-* attributes (tests read the geometry from the canvas). */
  data?: Record<string, string | number>;
  /** Focus the canvas once it is drawn (after a zoom, so the keyboard stays on the map). */
  autoFocus?: boolean;
}

interface Geometry {
  mode: "rows" | "flow";
  cell: number;
  originX: number;
  originY: number;
  columns: number;
  perItem: number;
  items: number;
  rowsPerItem: number;
  itemStride: number;
  width: number;
  height: number;
}

/** Height of the sticky row of column labels above the canvas. */
const COLUMN_LABEL_HEIGHT = 18;

function geometryOf(width: number, grid: HeatGrid, columns: number, labelWidth: number, maxCell: number): Geometry {
  const perItem = grid.kind === "cells" ? grid.perItem : 1;
  const mode = perItem > 1 ? "rows" : "flow";
  const cell = Math.max(3, Math.min(maxCell, Math.floor((width - labelWidth - 2) / columns)));
  const originX = labelWidth;
  const originY = 0;
  if (mode === "rows") {
    const rowsPerItem = Math.ceil(perItem / columns);
    const gap = rowsPerItem > 1 ? Math.max(2, Math.floor(cell / 2)) : 0;
    const itemStride = rowsPerItem * cell + gap;
    return { mode, cell, originX, originY, columns, perItem, items: grid.items, rowsPerItem, itemStride, width: originX + columns * cell, height: originY + grid.items * itemStride - gap };
  }
  const rows = Math.ceil(grid.items / columns);
  return { mode, cell, originX, originY, columns, perItem: 1, items: grid.items, rowsPerItem: 1, itemStride: cell, width: originX + columns * cell, height: originY + rows * cell };
}

const cellCount = (g: Geometry) => g.items * g.perItem;

/** Row and column of a cell in the grid of rows the geometry draws. */
function positionOf(g: Geometry, index: number): { row: number; column: number } {
  if (g.mode === "flow") return { row: Math.floor(index / g.columns), column: index % g.columns };
  const item = Math.floor(index / g.perItem);
  const p = index % g.perItem;
  return { row: item * g.rowsPerItem + Math.floor(p / g.columns), column: p % g.columns };
}

/** The cell at a row and column, clamped to the cells that exist. */
function indexAt(g: Geometry, row: number, column: number): number {
  const last = cellCount(g) - 1;
  if (g.mode === "flow") return Math.max(0, Math.min(last, row * g.columns + column));
  const lastRow = g.items * g.rowsPerItem - 1;
  const r = Math.max(0, Math.min(lastRow, row));
  const item = Math.floor(r / g.rowsPerItem);
  const p = Math.min(g.perItem - 1, (r % g.rowsPerItem) * g.columns + column);
  return item * g.perItem + p;
}

function cellRect(g: Geometry, index: number): { x: number; y: number } {
  if (g.mode === "flow") return { x: g.originX + (index % g.columns) * g.cell, y: g.originY + Math.floor(index / g.columns) * g.cell };
  const item = Math.floor(index / g.perItem);
  const p = index % g.perItem;
  return { x: g.originX + (p % g.columns) * g.cell, y: g.originY + item * g.itemStride + Math.floor(p / g.columns) * g.cell };
}

function hit(g: Geometry, x: number, y: number): number | null {
  const column = Math.floor((x - g.originX) / g.cell);
  if (column < 0 || column >= g.columns || y < g.originY) return null;
  if (g.mode === "flow") {
    const index = Math.floor((y - g.originY) / g.cell) * g.columns + column;
    return index < g.items ? index : null;
  }
  const item = Math.floor((y - g.originY) / g.itemStride);
  const within = y - g.originY - item * g.itemStride;
  if (item >= g.items || within >= g.rowsPerItem * g.cell) return null;
  const p = Math.floor(within / g.cell) * g.columns + column;
  return p < g.perItem ? item * g.perItem + p : null;
}

// --- colours -----------------------------------------------------------------------------------

const darkScheme = "(prefers-color-scheme: dark)";
function subscribeScheme(onChange: () => void) {
  const query = window.matchMedia(darkScheme);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}
const schemeNow = () => (window.matchMedia(darkScheme).matches ? "dark" : "light");
const schemeOnServer = () => "light";

function cssColour(element: Element, name: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || "#888";
}

// --- drawing -----------------------------------------------------------------------------------

const USED_BOTTOM_UP = ["bound", "offered", "quarantined", "reserved"];

/** Sizes a canvas for the geometry (only when it changed: a resize clears it) and returns its context. */
function prepare(canvas: HTMLCanvasElement, g: Geometry): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(g.width * ratio);
  const height = Math.round(g.height * ratio);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, g.width, g.height);
  return ctx;
}

const innerSize = (g: Geometry) => (g.cell >= 6 ? g.cell - 1 : g.cell);

/** The cells (or tiles) and the item labels: redrawn only when the data, the size or the colour scheme change. */
function drawBase(canvas: HTMLCanvasElement, g: Geometry, grid: HeatGrid, itemLabel: (item: number) => string) {
  const ctx = prepare(canvas, g);
  if (!ctx) return;
  const colours = grid.states.map((state) => cssColour(canvas, heatStyleOf(state).cssVar));
  const muted = cssColour(canvas, "--ps-ink-muted");
  const ink = cssColour(canvas, "--ps-ink");
  const gridLine = cssColour(canvas, "--ps-heat-grid");
  const inner = innerSize(g);

  ctx.font = "11px ui-monospace, SFMono-Regular, 'DejaVu Sans Mono', Menlo, monospace";
  ctx.fillStyle = muted;
  ctx.textBaseline = "middle";
  ctx.textAlign = "right";
  if (g.mode === "rows") {
    const every = Math.max(1, Math.ceil(14 / g.itemStride));
    for (let item = 0; item < g.items; item += every) {
      ctx.fillText(itemLabel(item), g.originX - 6, g.originY + item * g.itemStride + Math.min(g.rowsPerItem * g.cell, 14) / 2);
    }
  } else {
    const rows = Math.ceil(g.items / g.columns);
    const every = Math.max(1, Math.ceil(14 / g.cell));
    for (let row = 0; row < rows; row += every) ctx.fillText(itemLabel(row * g.columns), g.originX - 6, g.originY + row * g.cell + Math.min(g.cell, 14) / 2);
  }

  if (grid.kind === "cells") {
    // One pass per state (one fillStyle each), positions computed inline: 65536 cells stay cheap.
    const { columns, perItem, cell, itemStride, originX, originY } = g;
    const total = cellCount(g);
    const excluded = grid.states.indexOf("excluded");
    grid.states.forEach((_, code) => {
      ctx.fillStyle = colours[code]!;
      if (code === excluded && inner >= 6) {
        ctx.strokeStyle = gridLine;
        ctx.lineWidth = 1;
        ctx.beginPath();
      }
      for (let index = 0; index < total; index++) {
        if (grid.data[index] !== code) continue;
        let x: number;
        let y: number;
        if (perItem > 1) {
          const item = (index / perItem) | 0;
          const p = index - item * perItem;
          x = originX + (p % columns) * cell;
          y = originY + item * itemStride + ((p / columns) | 0) * cell;
        } else {
          x = originX + (index % columns) * cell;
          y = originY + ((index / columns) | 0) * cell;
        }
        ctx.fillRect(x, y, inner, inner);
        // Excluded cells are striped too, not told apart by colour alone.
        if (code === excluded && inner >= 6) {
          ctx.moveTo(x, y + inner);
          ctx.lineTo(x + inner, y);
        }
      }
      if (code === excluded && inner >= 6) ctx.stroke();
    });
    return;
  }

  // A tile is a little column: used states stacked from the bottom, excluded from the top, free in
  // between. A state that is there at all gets at least one pixel, so one bound lease among 16384
  // cells still shows.
  const width = grid.states.length;
  const code = (state: string) => grid.states.indexOf(state);
  const tileInner = g.cell >= 10 ? g.cell - 2 : inner;
  for (let item = 0; item < g.items; item++) {
    const { x, y } = cellRect(g, item);
    const base = item * width;
    let total = 0;
    for (let s = 0; s < width; s++) total += grid.counts[base + s]!;
    ctx.fillStyle = colours[code("free")] ?? gridLine;
    ctx.fillRect(x, y, tileInner, tileInner);
    if (total === 0) continue;
    const height = (state: string) => {
      const count = grid.counts[base + code(state)] ?? 0;
      return count === 0 ? 0 : Math.max(1, Math.round((tileInner * count) / total));
    };
    let bottom = y + tileInner;
    for (const state of USED_BOTTOM_UP) {
      const h = Math.min(height(state), bottom - y);
      if (h <= 0) continue;
      ctx.fillStyle = colours[code(state)]!;
      ctx.fillRect(x, bottom - h, tileInner, h);
      bottom -= h;
    }
    const top = Math.min(height("excluded"), bottom - y);
    if (top > 0) {
      ctx.fillStyle = colours[code("excluded")]!;
      ctx.fillRect(x, y, tileInner, top);
    }
    // Big tiles also say how full they are, in words: a one-pixel line is easy to miss.
    if (tileInner >= 56) {
      const used = USED_BOTTOM_UP.reduce((sum, state) => sum + (grid.counts[base + code(state)] ?? 0), 0);
      const usable = total - (grid.counts[base + code("excluded")] ?? 0);
      ctx.font = "600 12px ui-sans-serif, system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillStyle = ink;
      ctx.fillText(percentText(used, usable), x + tileInner / 2, y + tileInner / 2);
    }
  }
}

/** "0 %", "<0.1 %", "4.2 %", "87 %": how much of a tile is in use. */
function percentText(used: number, usable: number): string {
  if (usable <= 0 || used === 0) return "0 %";
  const percent = (used / usable) * 100;
  if (percent < 0.1) return "<0.1 %";
  return percent < 10 ? `${percent.toFixed(1)} %` : `${Math.min(100, Math.floor(percent))} %`;
}

/** The highlighted and the hovered cell's outlines, on the transparent layer above: cheap to redraw on every key. */
function drawOverlay(canvas: HTMLCanvasElement, g: Geometry, highlight: number | null, hover: number | null) {
  const ctx = prepare(canvas, g);
  if (!ctx) return;
  const inner = innerSize(g);
  const outline = (index: number, colour: string, line: number) => {
    const { x, y } = cellRect(g, index);
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.strokeRect(x - line / 2, y - line / 2, inner + line, inner + line);
  };
  if (hover !== null && hover !== highlight) outline(hover, cssColour(canvas, "--ps-ink-muted"), 1);
  if (highlight !== null) {
    // A light halo under a dark outline (or the reverse in dark mode) reads on every cell colour.
    outline(highlight, cssColour(canvas, "--ps-surface"), 4);
    outline(highlight, cssColour(canvas, "--ps-ink"), 2);
  }
}

// --- the component -----------------------------------------------------------------------------

export function HeatCanvas(props: HeatCanvasProps) {
  const { grid, columns, labelWidth, columnLabel, maxCellSize = 28, highlight, onHighlightChange, onActivate, onHover, onZoomOut, label, instructions, describe, data, autoFocus } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<number | null>(null);
  const scheme = useSyncExternalStore(subscribeScheme, schemeNow, schemeOnServer);
  const instructionsId = `${useId()}-instructions`;

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  const geometry = useMemo(() => (width > 0 ? geometryOf(width, grid, columns, labelWidth, maxCellSize) : null), [width, grid, columns, labelWidth, maxCellSize]);
  const drawn = geometry !== null;
  useEffect(() => {
    if (drawn && autoFocus) canvasRef.current?.focus();
  }, [drawn, autoFocus]);
  const shownHover = hover !== null && geometry && hover < cellCount(geometry) ? hover : null;
  const shownHighlight = highlight !== null && geometry && highlight < cellCount(geometry) ? highlight : null;

  const { itemLabel } = props;
  useEffect(() => {
    if (baseRef.current && geometry) drawBase(baseRef.current, geometry, grid, itemLabel);
  }, [geometry, grid, itemLabel, scheme]);
  useEffect(() => {
    if (canvasRef.current && geometry) drawOverlay(canvasRef.current, geometry, shownHighlight, shownHover);
  }, [geometry, shownHighlight, shownHover, scheme]);

  /** Column labels (PSIDs) as far apart as they fit. */
  const headerLabels = useMemo(() => {
    if (!geometry || !columnLabel) return [];
    let step = 1;
    while (step * geometry.cell < 30 && step < geometry.columns) step *= 2;
    const labels: { column: number; text: string }[] = [];
    for (let column = 0; column < geometry.columns; column += step) labels.push({ column, text: columnLabel(column) });
    return labels;
  }, [geometry, columnLabel]);

  const anchorOf = (index: number): CellAnchor | null => {
    const canvas = canvasRef.current;
    if (!canvas || !geometry) return null;
    const box = canvas.getBoundingClientRect();
    const { x, y } = cellRect(geometry, index);
    return { left: box.left + x, top: box.top + y, width: geometry.cell, height: geometry.cell };
  };

  const pointAt = (event: MouseEvent<HTMLCanvasElement>) => {
    if (!geometry) return null;
    const box = event.currentTarget.getBoundingClientRect();
    return hit(geometry, event.clientX - box.left, event.clientY - box.top);
  };

  const onMouseMove = (event: MouseEvent<HTMLCanvasElement>) => {
    const index = pointAt(event);
    if (index === hover) return;
    setHover(index);
    onHover(index, index === null ? null : anchorOf(index));
  };

  const onClick = (event: MouseEvent<HTMLCanvasElement>) => {
    const index = pointAt(event);
    if (index === null) return;
    onHighlightChange(index);
    onActivate(index);
  };

  /** Scrolls the box so the cell shows, then tells the parent where it is (the tooltip follows the keyboard too). */
  const reveal = (index: number) => {
    const box = boxRef.current;
    if (box && geometry) {
      const { x, y: canvasY } = cellRect(geometry, index);
      const y = canvasY + (columnLabel ? COLUMN_LABEL_HEIGHT : 0);
      const margin = geometry.cell * 2;
      const top = columnLabel ? COLUMN_LABEL_HEIGHT : 0; // the sticky header covers the top of the box
      if (y - margin - top < box.scrollTop) box.scrollTop = Math.max(0, y - margin - top);
      else if (y + geometry.cell + margin > box.scrollTop + box.clientHeight) box.scrollTop = y + geometry.cell + margin - box.clientHeight;
      if (x - margin < box.scrollLeft) box.scrollLeft = Math.max(0, x - margin);
      else if (x + geometry.cell + margin > box.scrollLeft + box.clientWidth) box.scrollLeft = x + geometry.cell + margin - box.clientWidth;
    }
    onHover(index, anchorOf(index));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    if (!geometry) return;
    if ((event.key === "Escape" || event.key === "Backspace" || event.key === "-") && onZoomOut) {
      event.preventDefault();
      onZoomOut();
      return;
    }
    const current = shownHighlight;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (current !== null) onActivate(current);
      return;
    }
    const last = cellCount(geometry) - 1;
    const { row, column } = current === null ? { row: 0, column: 0 } : positionOf(geometry, current);
    const lastColumn = geometry.mode === "rows" ? Math.min(geometry.columns, geometry.perItem) - 1 : geometry.columns - 1;
    let next: number | null = null;
    if (current === null && /^(Arrow|Home|End|Page)/.test(event.key)) next = 0;
    else if (event.key === "ArrowLeft") next = indexAt(geometry, row, Math.max(0, column - 1));
    else if (event.key === "ArrowRight") next = indexAt(geometry, row, Math.min(lastColumn, column + 1));
    else if (event.key === "ArrowUp") next = indexAt(geometry, row - 1, column);
    else if (event.key === "ArrowDown") next = indexAt(geometry, row + 1, column);
    else if (event.key === "PageUp") next = indexAt(geometry, row - 8, column);
    else if (event.key === "PageDown") next = indexAt(geometry, row + 8, column);
    else if (event.key === "Home") next = event.ctrlKey ? 0 : indexAt(geometry, row, 0);
    else if (event.key === "End") next = event.ctrlKey ? last : indexAt(geometry, row, lastColumn);
    if (next === null) return;
    event.preventDefault();
    onHighlightChange(next);
    reveal(next);
  };

  const dataAttributes = Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [`data-${key}`, String(value)]));
  return (
    <div className="relative">
      <div ref={boxRef} className="max-h-[36rem] min-h-24 overflow-auto" onMouseLeave={() => {
          setHover(null);
          onHover(null, null);
        }}>
        {geometry && columnLabel && (
          <div aria-hidden className="sticky top-0 z-10 bg-surface font-mono text-[11px] leading-[18px] text-ink-muted" style={{ width: geometry.width, height: COLUMN_LABEL_HEIGHT }}>
            {headerLabels.map(({ column, text }) => (
              <span key={column} className="absolute" style={{ left: geometry.originX + column * geometry.cell }}>
                {text}
              </span>
            ))}
          </div>
        )}
        {geometry && (
          <div className="relative" style={{ width: geometry.width, height: geometry.height }}>
            <canvas ref={baseRef} aria-hidden className="absolute inset-0" style={{ width: geometry.width, height: geometry.height }} />
            <canvas
              ref={canvasRef}
              tabIndex={0}
              role="application"
              aria-roledescription="heat map"
              aria-label={label}
              aria-describedby={instructionsId}
              onMouseMove={onMouseMove}
              onClick={onClick}
              onKeyDown={onKeyDown}
              onFocus={() => shownHighlight !== null && onHover(shownHighlight, anchorOf(shownHighlight))}
              onBlur={() => onHover(null, null)}
              className="absolute inset-0 block cursor-crosshair rounded-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
              style={{ width: geometry.width, height: geometry.height }}
              data-mode={geometry.mode}
              data-cell-size={geometry.cell}
              data-origin-x={geometry.originX}
              data-origin-y={geometry.originY}
              data-item-stride={geometry.itemStride}
              data-columns={geometry.columns}
              data-per-item={geometry.perItem}
              {...dataAttributes}
            />
          </div>
        )}
      </div>
      <p id={instructionsId} className="sr-only">
        {instructions}
      </p>
      <p className="sr-only" aria-live="polite" data-testid="heatmap-announcer">
        {shownHighlight !== null ? describe(shownHighlight) : ""}
      </p>
    </div>
  );
}
