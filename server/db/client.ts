import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/sqlite/client";
import { PrismaClient as PgPrismaClient } from "./generated/postgresql/client";
import type { DatabaseConfig } from "./config";

export type Database = PrismaClient;

/**
 * One Prisma client for the configured backend. The two generated clients share one model
 * API (toolchain.md §2.2), so the PostgreSQL client is typed as the SQLite one.
 */
export async function createDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.provider === "postgresql") {
    const client = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: config.url }) });
    return client as unknown as Database;
  }
  mkdirSync(path.dirname(config.file), { recursive: true });
  // The adapter holds one connection; a busy timeout lets a second process (a standalone
  // worker, a migration) wait for the write lock instead of failing at once.
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: config.file, timeout: 5000 }) });
  // WAL is persistent on the file; synchronous is per connection. FULL makes every commit
  // durable before an ACK leaves; NORMAL (SQLITE_SYNCHRONOUS=NORMAL) survives a process crash
  // but may lose the last commits on power loss.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$executeRawUnsafe(`PRAGMA synchronous = ${sqliteSynchronous()}`);
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  return client;
}

function sqliteSynchronous(): "FULL" | "NORMAL" {
  const value = (process.env.SQLITE_SYNCHRONOUS ?? "FULL").toUpperCase();
  if (value !== "FULL" && value !== "NORMAL") throw new Error(`SQLITE_SYNCHRONOUS must be FULL or NORMAL, got "${value}"`);
  return value;
}
