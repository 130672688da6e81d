// Derives prisma/postgresql/schema.prisma from the hand-edited SQLite schema
// (toolchain.md §2.2: the provider must be a literal, one generated client per provider).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const source = readFileSync("prisma/sqlite/schema.prisma", "utf8");
const derived = source
  .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  .replace("server/db/generated/sqlite", "server/db/generated/postgresql");
if (derived === source) throw new Error("pg-schema: nothing replaced in prisma/sqlite/schema.prisma");
mkdirSync("prisma/postgresql", { recursive: true });
writeFileSync(
  "prisma/postgresql/schema.prisma",
  "// GENERATED from prisma/sqlite/schema.prisma by scripts/pg-schema.mjs: do not edit\n" + derived,
);
