"use client";

import { useEffect, useId, useRef, useState, type MouseEvent } from "react";

// A small line chart of per-minute counts (the dashboard's last hour of offers, ACKs, NAKs and
// drops). SVG drawn at the measured width, so lines and text stay crisp at any size; the numbers
// are also in a visually hidden table for screen readers.

export interface ChartSeries<K extends string> {
  key: K;
  label: string;
  /** CSS colour of the line and its swatch, e.g. "var(--ps-series-acks)". */
  colour: string;
}

export type ChartPoint<K extends string> = { minute: Date } & Record<K, number>;

const MARGIN = { top: 10, right: 10, bottom: 22, left: 40 };

/** 0, 1, 2, 5, 10, 20, 50 …: the smallest "nice" number ≥ value (at least 4, so an idle chart has a scale). */
function niceCeiling(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const pad = (n: number) => String(n).padStart(2, "0");
const hhmm = (date: Date) => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;

export function TimeSeriesChart<K extends string>({
  data,
  series,
  label,
  height = 180,
  className,
}: {
  data: readonly ChartPoint<K>[];
  series: readonly ChartSeries<K>[];
  /** The chart's accessible name, e.g. "DHCP exchanges per minute, last hour". */
  label: string;
  height?: number;
  className?: string;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<number | null>(null);
  const titleId = useId();

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  const totals = series.map((s) => data.reduce((sum, point) => sum + point[s.key], 0));
  const peak = Math.max(0, ...data.flatMap((point) => series.map((s) => point[s.key])));
  const top = niceCeiling(peak);
  const plotWidth = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const x = (i: number) => MARGIN.left + (data.length <= 1 ? 0 : (i * plotWidth) / (data.length - 1));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const ticks = [0, top / 2, top];
  const summary = series.map((s, i) => `${totals[i]!.toLocaleString("en-US")} ${s.label.toLowerCase()}`).join(", ");

  const onMouseMove = (event: MouseEvent<SVGSVGElement>) => {
    if (data.length === 0 || plotWidth <= 0) return;
    const box = event.currentTarget.getBoundingClientRect();
    const ratio = (event.clientX - box.left - MARGIN.left) / plotWidth;
    setHover(Math.max(0, Math.min(data.length - 1, Math.round(ratio * (data.length - 1)))));
  };
  const hovered = hover !== null ? data[hover] : undefined;

  return (
    <div className={className}>
      <ul className="mb-2 flex min-h-5 flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Totals">
        {series.map((s, i) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span aria-hidden className="h-0.5 w-3.5 rounded-full" style={{ background: s.colour }} />
            <span className="text-ink-muted">{s.label}</span>
            <span className="font-medium tabular-nums text-ink">{totals[i]!.toLocaleString("en-US")}</span>
          </li>
        ))}
      </ul>
      <div ref={boxRef} className="relative" style={{ height }}>
        {width > 0 && (
          <svg
            width={width}
            height={height}
            role="img"
            aria-labelledby={titleId}
            onMouseMove={onMouseMove}
            onMouseLeave={() => setHover(null)}
            className="block overflow-visible text-ink-muted"
          >
            <title id={titleId}>{`${label}: ${summary}`}</title>
            {ticks.map((tick) => (
              <g key={tick}>
                <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(tick)} y2={y(tick)} stroke="var(--ps-line)" strokeDasharray={tick === 0 ? undefined : "3 3"} />
                <text x={MARGIN.left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle" className="fill-current text-[11px] tabular-nums">
                  {tick.toLocaleString("en-US")}
                </text>
              </g>
            ))}
            {data.map((point, i) =>
              point.minute.getUTCMinutes() % 15 === 0 ? (
                <text key={point.minute.getTime()} x={x(i)} y={height - 6} textAnchor="middle" className="fill-current text-[11px] tabular-nums">
                  {hhmm(point.minute)}
                </text>
              ) : null,
            )}
            {series.map((s) => (
              <polyline
                key={s.key}
                fill="none"
                stroke={s.colour}
                strokeWidth={1.75}
                strokeLinejoin="round"
                points={data.map((point, i) => `${x(i).toFixed(1)},${y(point[s.key]).toFixed(1)}`).join(" ")}
              />
            ))}
            {hover !== null && hovered && (
              <g>
                <line x1={x(hover)} x2={x(hover)} y1={MARGIN.top} y2={MARGIN.top + plotHeight} stroke="var(--ps-ink-muted)" strokeWidth={1} />
                {series.map((s) => (
                  <circle key={s.key} cx={x(hover)} cy={y(hovered[s.key])} r={3} fill={s.colour} />
                ))}
              </g>
            )}
          </svg>
        )}
        {peak === 0 && width > 0 && (
          <p className="pointer-events-none absolute inset-x-0 top-1/3 text-center text-sm text-ink-muted">No DHCP traffic in this period.</p>
        )}
        {hover !== null && hovered && (
          <div
            aria-hidden
            className="pointer-events-none absolute top-0 z-10 rounded-md border border-line bg-surface px-2.5 py-1.5 text-xs shadow-md"
            style={x(hover) > width / 2 ? { right: width - x(hover) + 8 } : { left: x(hover) + 8 }}
          >
            <p className="font-medium text-ink tabular-nums">{hhmm(hovered.minute)} UTC</p>
            {series.map((s) => (
              <p key={s.key} className="flex justify-between gap-3 tabular-nums">
                <span className="text-ink-muted">{s.label}</span>
                <span className="text-ink">{hovered[s.key].toLocaleString("en-US")}</span>
              </p>
            ))}
          </div>
        )}
      </div>
      <table className="sr-only">
        <caption>{label}, minutes with traffic (UTC)</caption>
        <thead>
          <tr>
            <th scope="col">Minute</th>
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data
            .filter((point) => series.some((s) => point[s.key] > 0))
            .map((point) => (
              <tr key={point.minute.getTime()}>
                <th scope="row">{hhmm(point.minute)}</th>
                {series.map((s) => (
                  <td key={s.key}>{point[s.key]}</td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
