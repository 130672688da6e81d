#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded here.
# Migrations run through server/db/migrations.ts (WASM engine) instead: npm run db:migrate.
echo "The native Prisma schema engine is not used by Portshare: run npm run db:migrate" >&2
exit 1
