import { fdatasync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { PrismaClient } from "./generated/sqlite/client";
import { PrismaClient as PgPrismaClient } from "./generated/postgresql/client";
import type { DatabaseConfig } from "./config";

export type Database = PrismaClient;

type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;

/**
 * The connection under a Prisma client, for the 4o6 hot path (architecture.md: the allocation
 * path). Prisma costs 130-250 µs a query here (toolchain.md §2.5); the hot path runs its own
 * prepared statements on the very connection (SQLite) or pool (PostgreSQL) Prisma uses, so
 * there is one persistence layer, one set of migrations and, for SQLite, one writer.
 */
export type DirectConnection =
  | {
      provider: "sqlite";
      connection: BetterSqlite3.Database;
      /**
       * Runs `work` (synchronous statements) in one transaction on Prisma's connection, never
       * inside one of Prisma's own open interactive transactions.
       */
      transaction<T>(work: () => T): Promise<T>;
    }
  | { provider: "postgresql"; pool: pg.Pool };

const direct = new WeakMap<Database, Promise<DirectConnection>>();

/** The hot path's handle on a client made by createDatabase. */
export function directConnection(db: Database): Promise<DirectConnection> {
  const found = direct.get(db);
  if (!found) throw new Error("directConnection: this client was not made by createDatabase");
  return found;
}

/** How long a new PostgreSQL connection may take before the attempt fails (a hung server is an outage, not a wait). */
const PG_CONNECT_TIMEOUT_MS = 5_000;

/**
 * One Prisma client for the configured backend. The two generated clients share one model
 * API (toolchain.md §2.2), so the PostgreSQL client is typed as the SQLite one.
 */
export async function createDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.provider === "postgresql") {
    const pool = new pg.Pool({ connectionString: config.url, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, keepAlive: true });
    const client = new PgPrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }) as unknown as Database;
    direct.set(client, Promise.resolve({ provider: "postgresql", pool }));
    return client;
  }
  mkdirSync(path.dirname(config.file), { recursive: true });
  // The adapter holds one connection; a busy timeout lets a second process (a standalone
  // worker, a migration) wait for the write lock instead of failing at once.
  const factory = new PrismaBetterSqlite3({ url: config.file, timeout: 5000 });
  let connected!: (adapter: SqlDriverAdapter) => void;
  const adapter = new Promise<SqlDriverAdapter>((resolve) => (connected = resolve));
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const made = await connect();
    connected(made);
    return made;
  };
  const client = new PrismaClient({ adapter: factory });
  // WAL is persistent on the file; synchronous is per connection. FULL makes every commit
  // durable before an ACK leaves; NORMAL (SQLITE_SYNCHRONOUS=NORMAL) survives a process crash
  // but may lose the last commits on power loss.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$executeRawUnsafe(`PRAGMA synchronous = ${sqliteSynchronous()}`);
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  direct.set(client, adapter.then((made) => sqliteDirect(made, config.file, sqliteSynchronous() === "FULL")));
  return client;
}

function sqliteDirect(adapter: SqlDriverAdapter, file: string, durable: boolean): DirectConnection {
  // The adapter keeps its better-sqlite3 handle as `client` (@prisma/adapter-better-sqlite3 7.10).
  const connection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
  if (!connection || typeof connection.prepare !== "function") throw new Error("the SQLite driver adapter does not expose its connection");
  const wal = durable ? new WalSync(`${file}-wal`) : undefined;
  const [flushLater, flushInCommit] = durable ? [connection.prepare("PRAGMA synchronous = NORMAL"), connection.prepare("PRAGMA synchronous = FULL")] : [];
  /** The transaction itself, on the event loop's thread (better-sqlite3 is synchronous). */
  const run = async <T>(work: () => T): Promise<T> => {
    // Outside Prisma's interactive transactions the work runs at once, start to COMMIT with no
    // await in between, so nothing else can slip into it. While one is open, wait for its lock.
    if (!connection.inTransaction) return connection.transaction(work).immediate();
    const prismaLock = await adapter.startTransaction(); // takes the adapter's lock and runs BEGIN
    try {
      const result = work();
      connection.prepare("COMMIT").run();
      await prismaLock.commit(); // releases the lock (the caller issues COMMIT itself: usePhantomQuery is false)
      return result;
    } catch (error) {
      if (connection.inTransaction) connection.prepare("ROLLBACK").run();
      await prismaLock.rollback();
      throw error;
    }
  };
  return {
    provider: "sqlite",
    connection,
    async transaction<T>(work: () => T): Promise<T> {
      if (!wal || !flushLater || !flushInCommit || connection.inTransaction) return run(work);
      // synchronous=FULL would sync the WAL inside COMMIT, holding the event loop for the whole
      // disk flush. The hot path commits with NORMAL (frames written, not yet flushed) and then
      // flushes the WAL on libuv's thread pool: the caller hears of its commit only once the
      // flush is done, as under FULL, and packets are served meanwhile. Everything else on this
      // connection (Prisma's writes) keeps FULL.
      flushLater.run();
      let result: T;
      try {
        result = connection.transaction(work).immediate();
      } finally {
        flushInCommit.run();
      }
      await wal.flush();
      return result;
    },
  };
}

/**
 * fdatasync of the database's write-ahead log, as SQLite itself syncs on Linux: the frames and
 * the file's size, not its timestamps (whose journal commit cost as much as the flush here).
 * Through a descriptor of our own: any descriptor of a file flushes all of its written pages.
 * SQLite keeps the -wal file while a connection is open, so the descriptor stays valid.
 */
class WalSync {
  private fd?: number;

  constructor(private readonly path: string) {}

  flush(): Promise<void> {
    this.fd ??= openSync(this.path, "r");
    const fd = this.fd;
    return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }
}

function sqliteSynchronous(): "FULL" | "NORMAL" {
  const value = (process.env.SQLITE_SYNCHRONOUS ?? "FULL").toUpperCase();
  if (value !== "FULL" && value !== "NORMAL") throw new Error(`SQLITE_SYNCHRONOUS must be FULL or NORMAL, got "${value}"`);
  return value;
}
