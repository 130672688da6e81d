import path from "node:path";
import { defineConfig } from "prisma/config";

// The Prisma CLI would download its native schema engine at start; a failing stub keeps
// `prisma generate` offline and makes any `prisma migrate` fail loudly (toolchain.md §2.1).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/no-schema-engine.sh");
const provider = process.env.DB_PROVIDER === "postgresql" ? "postgresql" : "sqlite";

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
});
