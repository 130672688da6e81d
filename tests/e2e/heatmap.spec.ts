import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signIn } from "./fixtures";
import { apiAs, cellCentre, dotted, heatGeometry, leaseClients, macOf, revealPoint, trpc, type Grant } from "./pool-helpers";

// Runs after "with-data" (playwright.config.ts). Real 4o6 clients lease port sets from a pool
// of two /24s through a relay; the heat map then shows them from the whole pool down to the cell.
test.describe.configure({ mode: "serial" });

// a = 6, k = 6 (m = 4): PSID p's first range is 1024 + 16p .. 1024 + 16p + 15 (RFC 7597 §5.1);
// reserved port 8080 excludes PSID (8080 >> 4) mod 64 = 57 on every address.
const POOL = {
  name: "heat-e2e",
  kind: "shared",
  range: "100.64.30.0-100.64.31.255",
  psidOffset: 6,
  psidLength: 6,
  reservedPorts: ["8080"],
  leaseTime: 3600,
  linkAddressPrefix: "2001:db8:4ea7:30::/64",
};
const RELAY = "2001:db8:4ea7:30::1";
const FIRST = 100 * 2 ** 24 + 64 * 2 ** 16 + 30 * 256;

let admin: APIRequestContext;
let poolId: number;
let grants: Grant[];

test.beforeAll(async ({}, workerInfo) => {
  admin = await apiAs(workerInfo.project.use.baseURL, ADMIN.username, ADMIN.password);
  poolId = (await trpc<{ id: number }>(admin, "pools.create", POOL, "mutation")).id;
  grants = await leaseClients(admin, [1, 2, 3].map((n) => macOf(2, n)), RELAY);
});
test.afterAll(async () => {
  await admin?.dispose();
});

test.beforeEach(async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
});

const heatMap = (page: Page, name: RegExp) => page.getByRole("application", { name });
const announcer = (page: Page) => page.getByTestId("heatmap-announcer");
/** From the first cell (row 0, column 0) to `row`, `column` with the keys an operator would use. */
async function walkTo(page: Page, row: number, column: number) {
  for (let i = 0; i < Math.floor(row / 8); i++) await page.keyboard.press("PageDown");
  for (let i = 0; i < row % 8; i++) await page.keyboard.press("ArrowDown");
  if (column < 32) {
    for (let i = 0; i < column; i++) await page.keyboard.press("ArrowRight");
  } else {
    await page.keyboard.press("End");
    for (let i = 63; i > column; i--) await page.keyboard.press("ArrowLeft");
  }
}

const leaseIdOf = async (grant: Grant) =>
  (await trpc<{ lease: { id: number } | null }>(admin, "heatmap.slot", { id: poolId, address: grant.address, psid: grant.psid }, "query")).lease?.id;
const firstRange = (psid: number) => `${1024 + 16 * psid}-${1024 + 16 * psid + 15}`;

test("the heat map zooms from the pool's /24s to addresses × PSIDs; a bound cell tells its address, PSID, ports and client", async ({ page }) => {
  await page.goto("/pools");
  await page.getByRole("link", { name: `Heat map of ${POOL.name}` }).click();
  await expect(page).toHaveURL(`/pools/${poolId}/heatmap`);
  await expect(page.getByRole("heading", { level: 1, name: `Heat map: ${POOL.name}` })).toBeVisible();

  // Whole pool: a tile per /24, the legend counting every slot.
  const overview = heatMap(page, /^Heat map of pool heat-e2e: 2 blocks/);
  await expect(overview).toBeVisible();
  const legend = page.getByRole("list", { name: "Legend" });
  await expect(legend.getByRole("listitem").filter({ hasText: "Bound" })).toHaveText(/Bound\s*3$/);
  await expect(legend.getByRole("listitem").filter({ hasText: "Excluded" })).toHaveText(/Excluded\s*512$/); // PSID 57 of 512 addresses
  await expect(page.getByRole("listitem").filter({ hasText: "PSID 57" })).toHaveText("PSID 57 — reserved port 8080");

  await page.screenshot({ path: "test-results/screens/heatmap-pool-light.png", fullPage: true, animations: "disabled" });

  const target = grants[0]!;
  const block = Math.floor(target.address / 256) * 256;
  const tiles = await heatGeometry(overview);
  expect(tiles).toMatchObject({ level: "pool", mode: "flow", first: FIRST });
  await overview.hover({ position: cellCentre(tiles, (block - FIRST) / 256) });
  await expect(page.getByTestId("heatmap-tooltip")).toContainText(`${dotted(block)}/24`);
  await overview.click({ position: cellCentre(tiles, (block - FIRST) / 256) });

  // One /24: a row per address, a column per PSID.
  const cells = heatMap(page, new RegExp(`^Heat map of ${dotted(block).replaceAll(".", "\\.")}/24 in pool heat-e2e: 256 addresses × 64 PSIDs`));
  await expect(cells).toBeVisible();
  const grid = await heatGeometry(cells);
  expect(grid).toMatchObject({ level: "block", mode: "rows", perItem: 64, columns: 64, first: block });
  const point = await revealPoint(cells, cellCentre(grid, (target.address - block) * 64 + target.psid));
  await cells.hover({ position: point });
  const tooltip = page.getByTestId("heatmap-tooltip");
  await expect(tooltip).toContainText(dotted(target.address));
  await expect(tooltip).toContainText(`PSID ${target.psid}`);
  await expect(tooltip).toContainText("Bound");
  await expect(tooltip).toContainText(`${firstRange(target.psid)}, ${1024 + 1024 + 16 * target.psid}-`);
  await expect(tooltip).toContainText("63 ranges of 16 ports, 1008 ports");
  await expect(tooltip).toContainText(target.clientId);
  await expect(tooltip).toContainText("Expires (UTC)");
  await page.screenshot({ path: "test-results/screens/heatmap-light.png", fullPage: true, animations: "disabled" });

  await page.emulateMedia({ colorScheme: "dark" });
  await cells.hover({ position: { x: point.x + 1, y: point.y } });
  await expect(tooltip).toContainText(target.clientId);
  await page.screenshot({ path: "test-results/screens/heatmap-dark.png", fullPage: true, animations: "disabled" });
  await page.emulateMedia({ colorScheme: "light" });

  // A click opens the lease.
  await cells.click({ position: point });
  await expect(page).toHaveURL(/\/leases\/\d+$/);
  expect(Number(page.url().split("/").pop())).toBe(await leaseIdOf(target));
});

test("the heat map works from the keyboard: arrows move, Enter zooms in and opens, Escape zooms out", async ({ page }) => {
  const target = grants[1]!;
  const block = Math.floor(target.address / 256) * 256;
  await page.goto(`/pools/${poolId}/heatmap`);
  const overview = heatMap(page, /^Heat map of pool heat-e2e/);
  await overview.focus();
  await page.keyboard.press("ArrowRight"); // the first key highlights the first tile
  await expect(announcer(page)).toHaveText(/^100\.64\.30\.0\/24: \d+ of 16,384 slots in use/);
  if (block !== FIRST) await page.keyboard.press("ArrowRight");
  await expect(announcer(page)).toContainText(`${dotted(block)}/24`);
  await page.keyboard.press("Enter");

  const cells = heatMap(page, /^Heat map of 100\.64\.3[01]\.0\/24 in pool heat-e2e/);
  await expect(cells).toBeFocused();
  await page.keyboard.press("ArrowDown"); // the first key highlights the first cell
  await expect(announcer(page)).toHaveText(new RegExp(`^${dotted(block).replaceAll(".", "\\.")}, PSID 0: `));
  await walkTo(page, target.address - block, target.psid);
  await expect(announcer(page)).toHaveText(`${dotted(target.address)}, PSID ${target.psid}: Bound, Enter opens the lease`);
  await expect(page.getByTestId("heatmap-tooltip")).toContainText(target.clientId); // the tooltip follows the keyboard

  // Escape goes back to the whole pool, which keeps the focus; in again, and Enter opens the lease.
  await page.keyboard.press("Escape");
  await expect(heatMap(page, /^Heat map of pool heat-e2e/)).toBeFocused();
  await page.keyboard.press("ArrowRight");
  if (block !== FIRST) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await expect(heatMap(page, /^Heat map of 100\.64\.3[01]\.0\/24 in pool heat-e2e/)).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await walkTo(page, target.address - block, target.psid);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/leases\/\d+$/);
  expect(Number(page.url().split("/").pop())).toBe(await leaseIdOf(target));
});

test("a dedicated pool has one cell per address", async ({ page }) => {
  // The seeded "dedicated-west" (tests/e2e/seed.ts): 198.51.100.10-20, .10 and .11 bound.
  const pools = await trpc<{ id: number; name: string }[]>(admin, "pools.list", undefined, "query");
  const west = pools.find((pool) => pool.name === "dedicated-west")!;
  await page.goto(`/pools/${west.id}/heatmap`);
  const cells = heatMap(page, /^Heat map of 198\.51\.100\.0\/24 in pool dedicated-west: 11 addresses, one cell each/);
  await expect(cells).toBeVisible();
  const grid = await heatGeometry(cells);
  expect(grid).toMatchObject({ mode: "flow", columns: 16, perItem: 1, first: 198 * 2 ** 24 + 51 * 2 ** 16 + 100 * 256 + 10 });
  await cells.hover({ position: cellCentre(grid, 1) });
  const tooltip = page.getByTestId("heatmap-tooltip");
  await expect(tooltip).toContainText("198.51.100.11");
  await expect(tooltip).toContainText("Bound");
  await expect(tooltip).toContainText("0-65535");
  await expect(tooltip).toContainText("the whole address: all 65536 ports");
  await expect(tooltip).toContainText("0102000003e9");
  await expect(tooltip).not.toContainText("PSID");
});

test("a pool with many PSIDs zooms from a /24 of address tiles into a window of cells", async ({ page }) => {
  // k = 10: 1024 PSIDs per address, so a /24 (262144 cells) is shown a tile per address first.
  const wide = await trpc<{ id: number }>(admin, "pools.create", { name: "heat-wide", kind: "shared", range: "100.64.40.0/30", psidOffset: 6, psidLength: 10, leaseTime: 3600, linkAddressPrefix: "2001:db8:4ea7:40::/64" }, "mutation");
  await page.goto(`/pools/${wide.id}/heatmap`);
  const tiles = heatMap(page, /^Heat map of 100\.64\.40\.0\/24 in pool heat-wide: 4 addresses, each a tile of 1024 PSIDs/);
  await expect(tiles).toBeVisible();
  await tiles.hover({ position: cellCentre(await heatGeometry(tiles), 2) });
  await expect(page.getByTestId("heatmap-tooltip")).toContainText("0 of 1,024 slots in use");
  await tiles.click({ position: cellCentre(await heatGeometry(tiles), 2) });
  const cells = heatMap(page, /^Heat map of 100\.64\.40\.0 – 100\.64\.40\.3 in pool heat-wide: 4 addresses × 1024 PSIDs/);
  await expect(cells).toBeFocused();
  expect(await heatGeometry(cells)).toMatchObject({ level: "window", mode: "rows", columns: 256, perItem: 1024 });
  await page.keyboard.press("Home"); // the first key highlights the first cell
  await expect(announcer(page)).toHaveText("100.64.40.0, PSID 0: Free");
  await page.keyboard.press("End");
  await expect(announcer(page)).toHaveText("100.64.40.0, PSID 255: Free");
  await page.keyboard.press("ArrowDown");
  await expect(announcer(page)).toHaveText("100.64.40.0, PSID 511: Free"); // an address takes four rows of 256
  await page.keyboard.press("Escape");
  await expect(tiles).toBeFocused();
  await expect(page.getByRole("button", { name: "Zoom out" })).toBeDisabled(); // one /24 only: it is the top
});

test("the dashboard lists the pools nearest exhaustion first, with the last hour of traffic", async ({ page }) => {
  await page.goto("/");
  const usage = page.getByRole("table", { name: /Pools by utilization/ });
  await expect(usage).toBeVisible();
  const row = usage.getByRole("row").filter({ hasText: POOL.name });
  // 512 addresses × 63 usable PSIDs; the three bound leases are in use.
  await expect(row).toContainText("3 / 32,256");
  await expect(row.getByRole("meter", { name: `${POOL.name} utilization` })).toHaveAttribute("aria-valuetext", "<0.1 % in use");
  await expect(row).toContainText("Bound 3");
  // Nearest exhaustion first: the seeded "shared-east" (42 of its 256 port sets bound or offered) comes before heat-e2e.
  const names = await usage.getByRole("row").evaluateAll((rows) => rows.slice(1).map((r) => r.querySelector("a")?.textContent ?? ""));
  expect(names.indexOf("shared-east")).toBeLessThan(names.indexOf(POOL.name));
  const utilizations = await usage.getByRole("meter").evaluateAll((meters) => meters.map((m) => Number(m.getAttribute("aria-valuenow"))));
  expect([...utilizations].sort((a, b) => b - a)).toEqual(utilizations);
  await expect(page.getByRole("img", { name: /^DHCP exchanges per minute, last hour/ })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);

  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/dashboard-pools-${scheme}.png`, fullPage: true, animations: "disabled" });
  }
});
