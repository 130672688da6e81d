import { Fragment } from "react";

/**
 * A port-set summary ("63 ranges of 64 ports, 4032 ports, 1344-1407 ... 64832-64895") that
 * wraps only between its parts, never inside a port range.
 */
export function PortSetText({ summary, className }: { summary: string; className?: string }) {
  const parts = summary.split(", ");
  return (
    <span className={className}>
      {parts.map((part, index) => (
        <Fragment key={index}>
          <span className="whitespace-nowrap">{part}</span>
          {index < parts.length - 1 ? ", " : ""}
        </Fragment>
      ))}
    </span>
  );
}
