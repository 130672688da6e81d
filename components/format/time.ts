// Times are shown in UTC, the clock ISP logs and tickets use, and the same on the server and
// in the browser (a page rendered on the server must not change when it hydrates).

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** 2026-11-28T14:45:03.120Z → "2026-11-28 14:45:03". */
export function formatUtc(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}
