import { defineConfig } from "@playwright/test";
import { ADMIN, E2E_DATABASE_FILE, E2E_DIR } from "./tests/e2e/fixtures";

// End-to-end tests run the real `npm start` process (console + tRPC + 4o6 worker) on its own
// port, against a fresh SQLite file: the webServer command deletes .tmp/e2e before starting.
const PORT = 3107;
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/artifacts",
  workers: 1,
  // Files share one server and one database; within a file, tests run in order.
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download does not work offline (toolchain.md §6).
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    // First the console as a new install has it: no pools, no leases (empty states).
    { name: "console", testIgnore: /(with-data|leases|pools|heatmap)\.spec\.ts/ },
    // Then with pools and leases written into the same database.
    { name: "with-data", testMatch: /with-data\.spec\.ts/, dependencies: ["console"] },
    // Then real 4o6 clients lease from a pool made through the API (search, revoke, exports).
    { name: "leases", testMatch: /leases\.spec\.ts/, dependencies: ["with-data"] },
    // And pools made through the forms, with real 4o6 leases on their PSID heat map.
    { name: "pools", testMatch: /(pools|heatmap)\.spec\.ts/, dependencies: ["with-data"] },
  ],
  webServer: {
    command: `node -e "require('node:fs').rmSync(process.argv[1], { recursive: true, force: true })" "${E2E_DIR}" && npx tsx server/main/start.ts`,
    url: `${baseURL}/api/health`,
    // The first start may run `next build` (about a minute, more on a busy machine).
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DHCP_PORT: "0",
      DHCP_ADDRESS: "::1",
      DATABASE_URL: `file:${E2E_DATABASE_FILE}`,
      PORTSHARE_ADMIN_PASSWORD: ADMIN.password,
      // The tests' 4o6 clients all send from [::1].
      RATE_LIMIT_PER_SECOND: "0",
      LOG_LEVEL: "warn",
    },
  },
});
