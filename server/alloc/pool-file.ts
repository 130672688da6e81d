// Pools as code: a JSON file {"pools": [{...}, ...]} whose entries are the same pool input the
// console's form sends (pool-spec.ts). Applying it creates the pools it names that do not exist
// and updates those that differ, by name, in one transaction; it never deletes a pool that is
// missing from the file (a typo must not revoke a region's subscribers). An entry that leaves
// `enabled` out keeps the pool's current state, so a pool an operator disabled in an emergency
// stays disabled across restarts; every other field of the file wins over console edits.

import { readFile } from "node:fs/promises";
import type { Database } from "../db";
import { RuleError } from "../errors/rule-error";
import { changedPoolFields, formatAddressRange, poolInputSchema, type PoolSpec } from "./pool-spec";
import { ConfirmationNeeded, listPools, writePools } from "./pools";

export interface PoolFileEntry {
  /** Position in the file's "pools" array, for messages ("pools[1]"). */
  readonly index: number;
  readonly spec: PoolSpec;
  /** Whether the entry sets `enabled`; when it does not, an existing pool keeps its state. */
  readonly setsEnabled: boolean;
}

export interface PoolFile {
  readonly path: string;
  readonly pools: readonly PoolFileEntry[];
}

/** Everything wrong with a pool file, one line per problem: `pools[1] "full-a": range: ...`. */
export class PoolFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`Pool file ${path}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`}`);
    this.name = "PoolFileError";
  }
}

export interface PoolFileLog {
  info(message: string): void;
}

export interface PoolFileOutcome {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  /** Pools in the database that the file does not name; left as they are. */
  readonly notInFile: readonly string[];
  readonly revokedLeases: number;
}

const label = (index: number, raw: unknown) => {
  const name = typeof raw === "object" && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === "string" && name.trim() !== "" ? `pools[${index}] "${name.trim()}"` : `pools[${index}]`;
};

/** Reads and validates a pool file; throws PoolFileError listing every problem. */
export async function loadPoolFile(path: string): Promise<PoolFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PoolFileError(path, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PoolFileError(path, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return parsePoolFile(json, path);
}

/** Validates the parsed JSON of a pool file: every entry, then names and ranges across entries. */
export function parsePoolFile(json: unknown, path: string): PoolFile {
  const shape = 'the file holds {"pools": [ ... ]}';
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new PoolFileError(path, [`is not a JSON object; ${shape}`]);
  const unknownKeys = Object.keys(json).filter((key) => key !== "pools" && key !== "$schema");
  if (unknownKeys.length > 0) throw new PoolFileError(path, [`unknown top-level field ${unknownKeys.map((k) => `"${k}"`).join(", ")}; ${shape}`]);
  const raw = (json as { pools?: unknown }).pools;
  if (!Array.isArray(raw)) throw new PoolFileError(path, [`"pools" is missing or not a list; ${shape}`]);

  const problems: string[] = [];
  const pools: PoolFileEntry[] = [];
  raw.forEach((entry, index) => {
    const parsed = poolInputSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.join(".");
        problems.push(`${label(index, entry)}: ${field ? `${field}: ` : ""}${issue.message}`);
      }
      return;
    }
    const setsEnabled = typeof entry === "object" && entry !== null && (entry as { enabled?: unknown }).enabled != null;
    pools.push({ index, spec: parsed.data, setsEnabled });
  });

  // Across entries: one entry per name, no two ranges overlapping (the database refuses both).
  for (const [i, entry] of pools.entries()) {
    for (const earlier of pools.slice(0, i)) {
      const here = label(entry.index, entry.spec);
      const there = label(earlier.index, earlier.spec);
      if (earlier.spec.name === entry.spec.name) {
        problems.push(`${here}: name: ${there} has the same name`);
      } else if (earlier.spec.firstAddress <= entry.spec.lastAddress && entry.spec.firstAddress <= earlier.spec.lastAddress) {
        problems.push(`${here}: range: Range ${formatAddressRange(entry.spec)} overlaps ${there} (${formatAddressRange(earlier.spec)})`);
      }
    }
  }
  if (problems.length > 0) throw new PoolFileError(path, problems);
  return { path, pools };
}

/**
 * Creates or updates the file's pools by name, in one transaction audited as
 * "system:pool-file". Applying the same file twice changes nothing the second time. A change
 * that would revoke live leases is refused unless `confirm` is set. Logs one line per pool.
 */
export async function applyPoolFile(db: Database, file: PoolFile, log: PoolFileLog, options: { confirm?: boolean } = {}): Promise<PoolFileOutcome> {
  const lines: string[] = [];
  const applied = await writePools(db, { system: "pool-file" }, async (writer) => {
    lines.length = 0; // a retried transaction starts over
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    let revokedLeases = 0;
    for (const entry of file.pools) {
      const where = label(entry.index, entry.spec);
      try {
        const existing = await writer.findByName(entry.spec.name);
        if (!existing) {
          const pool = await writer.create(entry.spec);
          created.push(pool.name);
          lines.push(`created pool "${pool.name}" (${pool.kind.toLowerCase()}, ${formatAddressRange(pool)})`);
          continue;
        }
        const spec = entry.setsEnabled ? entry.spec : { ...entry.spec, enabled: existing.enabled };
        const fields = changedPoolFields(existing, spec);
        if (fields.length === 0) {
          unchanged.push(existing.name);
          lines.push(`pool "${existing.name}" is unchanged`);
          continue;
        }
        const result = await writer.update(existing.id, spec, { confirm: options.confirm });
        updated.push(existing.name);
        revokedLeases += result.revokedLeases;
        const revoked = result.revokedLeases > 0 ? `; revoked ${result.revokedLeases} live leases` : "";
        lines.push(`updated pool "${existing.name}" (${fields.join(", ")})${revoked}`);
      } catch (error) {
        if (error instanceof ConfirmationNeeded && !options.confirm) {
          const how = "make this change in the console, where it can be confirmed, or apply the file with confirm";
          throw new PoolFileError(file.path, [`${where}: ${error.field}: ${error.affectedLeases} live leases would be revoked; ${how}`]);
        }
        if (error instanceof RuleError) throw new PoolFileError(file.path, [`${where}: ${error.field ? `${error.field}: ` : ""}${error.message}`]);
        throw error;
      }
    }
    return { created, updated, unchanged, revokedLeases };
  });
  const named = new Set(file.pools.map((entry) => entry.spec.name));
  const notInFile = (await listPools(db)).map((pool) => pool.name).filter((name) => !named.has(name));
  for (const name of notInFile) lines.push(`pool "${name}" is not in the file; left as it is (the pool file never deletes pools)`);
  for (const line of lines) log.info(`pool file ${file.path}: ${line}`);
  return { ...applied, notInFile };
}
