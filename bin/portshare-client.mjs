#!/usr/bin/env node
// portshare-client: runs server/client/cli.ts through tsx (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../server/client/cli.ts");
process.exitCode = await main(process.argv.slice(2));
