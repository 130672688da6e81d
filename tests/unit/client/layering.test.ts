// server/client is a client: it may use server/wire and server/psid, and nothing of the
// server's allocation, database, protocol handler or worker.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const dir = path.resolve(import.meta.dirname, "../../../server/client");

it("server/client imports only ./*, ../wire, ../psid and node: modules", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(5);
  const bad: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), "utf8");
    for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)) {
      const spec = match[1] ?? match[2]!;
      const ok = spec.startsWith("./") || spec === "../wire" || spec === "../psid" || spec.startsWith("node:");
      if (!ok) bad.push(`${file}: ${spec}`);
    }
  }
  expect(bad).toEqual([]);
});
