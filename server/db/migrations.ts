import { readFile, readdir, mkdir, writeFile } from "node:fs/promises";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlMigrationAwareDriverAdapterFactory, SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import type { DatabaseConfig } from "./config";

// Migrations run on Prisma's WASM schema engine through our driver adapters, because the
// CLI's native engine cannot be downloaded on this machine (toolchain.md §2.3-2.4).

const require = createRequire(import.meta.url);
const projectRoot = path.resolve(import.meta.dirname, "..", "..");
const filters = { externalTables: [], externalEnums: [] };

function schemaPaths(provider: DatabaseConfig["provider"]) {
  const dir = path.join(projectRoot, "prisma", provider);
  return { schema: path.join(dir, "schema.prisma"), migrations: path.join(dir, "migrations") };
}

/** Adapter factory with the three Prisma 7.10 adapter workarounds of toolchain.md §2.4. */
function migrationAdapter(config: DatabaseConfig): SqlMigrationAwareDriverAdapterFactory {
  if (config.provider === "sqlite") {
    mkdirSync(path.dirname(config.file), { recursive: true });
    const factory = new PrismaBetterSqlite3({ url: config.file, timeout: 10_000 });
    // Fix 1: the shadow replay sends whole migration files through executeRaw.
    const connectToShadowDb = factory.connectToShadowDb.bind(factory);
    factory.connectToShadowDb = async () => {
      const adapter = await connectToShadowDb();
      const executeRaw = adapter.executeRaw.bind(adapter);
      adapter.executeRaw = async (query) =>
        query.args.length === 0 ? (await adapter.executeScript(query.sql), 0) : executeRaw(query);
      return adapter;
    };
    return factory;
  }
  const u = new URL(config.url);
  // Discrete fields, not a connection string: pg lets a connection string override `database`,
  // which would make the shadow database the main one (fix 3 note).
  const pgConfig = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || process.env.USER || "postgres"),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
  const factory = new PrismaPg(pgConfig);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => pgCharAsText(await connect());
  // Fix 3: create and drop the shadow database ourselves, closing its pool before the drop.
  factory.connectToShadowDb = async () => {
    const main = await factory.connect();
    const name = `portshare_shadow_${randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = pgCharAsText(await new PrismaPg({ ...pgConfig, database: name }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  };
  return factory;
}

// Fix 2: adapter-pg cannot read catalog columns of PostgreSQL's internal "char" type (OID 18).
function pgCharAsText<A extends SqlDriverAdapter>(adapter: A): A {
  const target = adapter as unknown as { performIO: (q: unknown) => Promise<{ fields?: { dataTypeID: number }[] }> };
  const performIO = target.performIO.bind(adapter);
  target.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  return adapter;
}

interface SchemaEngineRuntime {
  SchemaEngine: { new: (params: unknown, debug: (m: string) => void, adapter: unknown) => Promise<SchemaEngine> };
}
interface SchemaEngine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string }>;
  applyMigrations(params: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diagnoseMigrationHistory(params: unknown): Promise<unknown>;
  free(): void;
}

// The wasm-bindgen glue keeps one module-global instance: instantiate once per process.
let runtime: Promise<SchemaEngineRuntime> | undefined;
function loadRuntime(): Promise<SchemaEngineRuntime> {
  runtime ??= (async () => {
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
    g.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m: string) => console.error("schema-engine panic:", m) };
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as WebAssembly.ModuleImports & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue as unknown as SchemaEngineRuntime;
  })();
  return runtime;
}

async function withEngine<T>(config: DatabaseConfig, run: (engine: SchemaEngine, schema: { path: string; content: string }) => Promise<T>): Promise<T> {
  const paths = schemaPaths(config.provider);
  const schema = { path: paths.schema, content: await readFile(paths.schema, "utf8") };
  const factory = migrationAdapter(config);
  const opened = trackConnections(factory);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const debug = (m: string) => {
    if (process.env.DEBUG_SCHEMA_ENGINE) console.error("[schema-engine]", m);
  };
  let engine: SchemaEngine | undefined;
  try {
    engine = await (await loadRuntime()).SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, debug, bound);
    return await run(engine, schema);
  } catch (error) {
    throw withAdapterErrors(error, bound.errorRegistry);
  } finally {
    engine?.free();
    // The engine does not close what it opened; an open SQLite connection would hold the file.
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
  }
}

function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory): SqlDriverAdapter[] {
  const opened: SqlDriverAdapter[] = [];
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter;
  };
  return opened;
}

// Adapter errors reach us only as "External error id#N"; attach the real ones.
function withAdapterErrors(error: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }): Error {
  const message = error instanceof Error ? error.message : String(error);
  const details = [...message.matchAll(/External error id#(\d+)/g)].map((m) => String(registry.consumeError(Number(m[1]))?.error));
  return new Error(details.length ? `${message}\n  caused by: ${details.join("\n  caused by: ")}` : message, { cause: error });
}

async function listMigrations(provider: DatabaseConfig["provider"]) {
  const dir = schemaPaths(provider).migrations;
  const lockContent = await readFile(path.join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const content = await readFile(path.join(dir, entry.name, "migration.sql"), "utf8").then(
      (value) => ({ tag: "ok" as const, value }),
      (err: Error) => ({ tag: "error" as const, value: err.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: "migration.sql", content } });
  }
  return { baseDir: dir, lockfile: { path: "migration_lock.toml", content: lockContent }, shadowDbInitScript: "", migrationDirectories };
}

/** Applies every pending migration (what `prisma migrate deploy` does). Idempotent. */
export async function applyMigrations(config: DatabaseConfig): Promise<string[]> {
  const migrationsList = await listMigrations(config.provider);
  // The usual start finds nothing to do: a plain read says so without the schema engine, which
  // would take the database's write lock (and fail while another worker holds it).
  const applied = await appliedMigrationNames(config);
  if (applied && migrationsList.migrationDirectories.every((d) => applied.has(d.path))) return [];
  return withEngine(config, async (engine) => (await engine.applyMigrations({ migrationsList, filters })).appliedMigrationNames);
}

/** Names of the migrations recorded as finished; null when the table is missing or unreadable. */
async function appliedMigrationNames(config: DatabaseConfig): Promise<Set<string> | null> {
  const query = "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL";
  try {
    if (config.provider === "sqlite") {
      if (!existsSync(config.file)) return null;
      const { default: Sqlite } = await import("better-sqlite3");
      const db = new Sqlite(config.file, { readonly: true, fileMustExist: true, timeout: 5000 });
      try {
        return new Set((db.prepare(query).all() as { migration_name: string }[]).map((r) => r.migration_name));
      } finally {
        db.close();
      }
    }
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      return new Set((await client.query<{ migration_name: string }>(query)).rows.map((r) => r.migration_name));
    } finally {
      await client.end();
    }
  } catch {
    return null;
  }
}

/**
 * Writes a new migration that takes the committed migrations to the current schema, or
 * returns null when there is nothing to do. Replays the migrations on a shadow database.
 */
export async function createMigration(config: DatabaseConfig, name: string): Promise<string | null> {
  const migrationsList = await listMigrations(config.provider);
  return withEngine(config, async (engine, schema) => {
    const from = migrationsList.migrationDirectories.length ? { tag: "migrations", ...migrationsList } : { tag: "empty" };
    const result = await engine.diff({ from, to: { tag: "schemaDatamodel", files: [schema] }, script: true, exitCode: true, filters });
    if (result.exitCode === 0) return null;
    const dir = path.join(migrationsList.baseDir, `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "migration.sql"), result.stdout);
    await writeFile(
      path.join(migrationsList.baseDir, "migration_lock.toml"),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${config.provider}"\n`,
    );
    return dir;
  });
}

/** The migration history as the engine diagnoses it. */
export async function migrationStatus(config: DatabaseConfig): Promise<unknown> {
  const migrationsList = await listMigrations(config.provider);
  return withEngine(config, async (engine) => {
    try {
      return await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters });
    } catch (error) {
      // P1014 on a fresh SQLite file: no migrations table yet, so nothing is applied.
      if ((error as { code?: string }).code !== "P1014") throw error;
      return { hasMigrationsTable: false, pending: migrationsList.migrationDirectories.map((d) => d.path) };
    }
  });
}
