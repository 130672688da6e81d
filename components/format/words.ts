/** Enum values as people write them: "BOUND" → "Bound", "DEDICATED" → "Dedicated". */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "1 lease", "3 leases". */
export function plural(count: number | bigint, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 || count === 1n ? one : many}`;
}
