// `npm test`: type-check, lint, unit + integration (Vitest), end-to-end (Playwright).
// Every stage runs even if an earlier one fails; the last line is "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, ".tmp", "reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

interface StageResult {
  name: string;
  passed: number;
  failed: number;
}

function run(command: string, args: string[], env: Record<string, string> = {}): number {
  console.log(`\n=== ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  return result.status ?? 1;
}

const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one stage
const wanted = (stage: string) => only.length === 0 || only.includes(stage);
const results: StageResult[] = [];

/** A stage that is one check: it passes or fails as a whole. */
function check(name: string, command: string, args: string[]) {
  const status = run(command, args);
  results.push({ name, passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1 });
}

if (wanted("typecheck")) check("typecheck", bin("tsc"), ["--noEmit", "-p", "."]);
if (wanted("lint")) check("lint", bin("eslint"), ["--max-warnings=0", "."]);

if (wanted("unit")) {
  const file = path.join(reports, "vitest.json");
  const status = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`]);
  const report = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number }) : undefined;
  results.push({
    name: "unit+integration",
    passed: report?.numPassedTests ?? 0,
    // A crash before the report counts as one failure.
    failed: (report?.numFailedTests ?? 0) + (status !== 0 && !report?.numFailedTests ? 1 : 0),
  });
}

if (wanted("e2e")) {
  const file = path.join(reports, "playwright.json");
  const status = run(bin("playwright"), ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: file, CI: process.env.CI ?? "1" });
  const stats = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } }).stats
    : undefined;
  results.push({
    name: "e2e",
    passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
    failed: (stats?.unexpected ?? 0) + (status !== 0 && !stats?.unexpected ? 1 : 0),
  });
}

console.log("\n=== summary");
for (const r of results) console.log(`${r.name.padEnd(18)} ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
