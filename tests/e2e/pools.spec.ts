import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signIn, signOut } from "./fixtures";
import { apiAs, dotted, leaseClients, macOf, trpc } from "./pool-helpers";

// Runs after "with-data" (playwright.config.ts): the seeded pools exist, so an overlap can be
// refused. Pools here are scoped to relay link-addresses of their own, so only this suite's
// 4o6 clients lease from them.
test.describe.configure({ mode: "serial" });

const EAST = { name: "form-east", range: "100.64.20.0/28", link: "2001:db8:4ea7:20::/64", relay: "2001:db8:4ea7:20::1" };
const WEST = { name: "form-west", kind: "shared", range: "100.64.21.0/28", psidOffset: 6, psidLength: 4, leaseTime: 3600, linkAddressPrefix: "2001:db8:4ea7:21::/64" };
const TEMP = { name: "form-temp", kind: "dedicated", range: "100.64.22.0/29", leaseTime: 600, linkAddressPrefix: "2001:db8:4ea7:22::/64" };
const VIEWER = { username: "pool-viewer", password: "pool-viewer-pw-1" };
const ip = (text: string) => text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

let admin: APIRequestContext;

test.beforeAll(async ({}, workerInfo) => {
  admin = await apiAs(workerInfo.project.use.baseURL, ADMIN.username, ADMIN.password);
});
test.afterAll(async () => {
  await admin?.dispose();
});

test.beforeEach(async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
});

async function poolId(name: string): Promise<number> {
  const pools = await trpc<{ id: number; name: string }[]>(admin, "pools.list", undefined, "query");
  const pool = pools.find((entry) => entry.name === name);
  expect(pool, `pool ${name}`).toBeTruthy();
  return pool!.id;
}

const preview = (page: Page) => page.getByTestId("pool-preview");
const figure = (page: Page, label: string) => preview(page).locator(`[data-label="${label}"] dd`);

test("an admin creates a shared pool through the form: checks as typed, a live preview, an overlap refused by name", async ({ page }) => {
  await page.goto("/pools");
  await page.getByRole("link", { name: "New pool" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New pool" })).toBeVisible();

  // A range over the seeded pool "shared-east" (192.0.2.0-192.0.2.15), with the default layout a = 6, k = 6.
  await page.getByLabel("Name", { exact: true }).fill("form-overlap");
  await page.getByLabel("Address range").fill("192.0.2.8-192.0.2.40");
  await expect(figure(page, "Addresses")).toContainText("33");
  await expect(figure(page, "Subscribers per address")).toContainText("64");
  await expect(figure(page, "Total capacity")).toContainText("2,112");
  await page.getByRole("button", { name: "Create pool" }).click();
  await expect(page.locator("#pool-range-error")).toHaveText('Range 192.0.2.8-192.0.2.40 overlaps pool "shared-east" (192.0.2.0-192.0.2.15)');
  await expect(page.getByLabel("Address range")).toBeFocused();
  await expect(page).toHaveURL("/pools/new");

  // The preview follows the typing.
  await page.getByLabel("Name", { exact: true }).fill(EAST.name);
  await page.getByLabel("Address range").fill(EAST.range);
  await expect(page.locator("#pool-range-error")).toHaveCount(0);
  await expect(figure(page, "Addresses")).toContainText("16");
  await expect(figure(page, "Total capacity")).toContainText("1,024");
  await page.getByLabel("PSID length (k)").fill("4");
  await expect(figure(page, "Subscribers per address")).toContainText("16");
  await expect(figure(page, "Ports per subscriber")).toContainText("4,032");
  await expect(figure(page, "Total capacity")).toContainText("256");
  // protocol.md §5.3 row 4: a = 6, k = 4, PSID 0 starts at 1024.
  await expect(page.getByTestId("sample-port-set")).toHaveText("PSID 0: 63 ranges of 64 ports, 4032 ports, 1024-1087 ... 64512-64575");
  await page.getByLabel("Reserved ports").fill("8080");
  // 8080 >> 6 = 126, and 126 mod 16 = 14: PSID 14's port set holds port 8080.
  await expect(page.getByTestId("excluded-psids")).toContainText("reserved port 8080: excludes PSID 14 (1 of 16)");
  await expect(figure(page, "Usable PSIDs per address")).toContainText("15");
  await expect(figure(page, "Total capacity")).toContainText("240");

  // Checked in the browser with the server's own rules: a + k ≤ 16 (RFC 7597 §5.1).
  await page.getByLabel("PSID offset (a)").fill("13");
  await expect(page.locator("#pool-psidLength-error")).toHaveText("PSID offset 13 plus PSID length 4 exceeds 16 bits");
  await expect(page.getByLabel("PSID length (k)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/^Paused: correct the fields marked in red/)).toBeVisible();
  await expect(figure(page, "Total capacity")).toContainText("240"); // the last figures stay, dimmed
  await page.getByLabel("PSID offset (a)").fill("6");
  await expect(page.locator("#pool-psidLength-error")).toHaveCount(0);

  await page.getByLabel("Relay link-address prefix").fill(EAST.link);
  await expect(page.getByText("Updates as you type.")).toBeVisible();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/pool-new-${scheme}.png`, fullPage: true, animations: "disabled" });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("button", { name: "Create pool" }).click();
  await expect(page).toHaveURL(/\/pools\/\d+\?created=1$/);
  await expect(page.getByRole("heading", { level: 1, name: EAST.name })).toBeVisible();
  await expect(page.getByText(`Pool “${EAST.name}” was created and serves clients now.`)).toBeVisible();
  await expect(page.getByLabel("Address range")).toHaveValue("100.64.20.0-100.64.20.15");
  await expect(page.getByLabel("Reserved ports")).toHaveValue("8080");
});

test("an admin edits the pool; a shrink that would strand live leases asks first, saying how many", async ({ page }) => {
  const id = await poolId(EAST.name);
  await page.goto(`/pools/${id}`);
  await page.getByLabel("Lease time", { exact: true }).fill("7200");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Lease time", { exact: true })).toHaveValue("7200");

  // Two real 4o6 clients lease from the pool; then the range shrinks to an address neither holds.
  const grants = await leaseClients(admin, [macOf(1, 1), macOf(1, 2)], EAST.relay);
  for (const grant of grants) expect(grant.address >= ip("100.64.20.0") && grant.address <= ip("100.64.20.15")).toBe(true);
  const leased = new Set(grants.map((grant) => grant.address));
  const spare = Array.from({ length: 16 }, (_, i) => ip("100.64.20.0") + i).find((address) => !leased.has(address))!;
  await page.reload();
  await expect(page.getByText("Live leases", { exact: true }).locator("..")).toContainText("2");

  await page.getByLabel("Address range").fill(dotted(spare));
  await page.getByRole("button", { name: "Save changes" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke 2 live leases?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("2 live leases would be affected (outside the new range)");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await trpc<{ pool: { liveLeases: number } }>(admin, "pools.get", { id }, "query")).pool.liveLeases).toBe(2);

  await page.getByRole("button", { name: "Save changes" }).click();
  await dialog.getByRole("button", { name: "Revoke 2 leases and save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Saved; 2 live leases were revoked and quarantined.")).toBeVisible();
  await expect(page.getByLabel("Address range")).toHaveValue(`${dotted(spare)}-${dotted(spare)}`);
  await expect(page.getByText("Quarantined", { exact: true }).locator("..")).toContainText("2");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/pool-edit-${scheme}.png`, fullPage: true, animations: "disabled" });
  }
});

test("disable, enable, and delete with a confirmation that states the live leases", async ({ page }) => {
  const east = await poolId(EAST.name);
  await page.goto(`/pools/${east}`);
  await page.getByRole("button", { name: `Disable pool ${EAST.name}` }).click();
  await expect(page.getByRole("main").getByText("Disabled", { exact: true }).first()).toBeVisible();
  await expect(page.getByLabel("Enabled", { exact: true })).not.toBeChecked();
  await page.getByRole("button", { name: `Enable pool ${EAST.name}` }).click();
  await expect(page.getByLabel("Enabled", { exact: true })).toBeChecked();

  // Its revoked slots are still quarantined: deleting disables it instead, and says so.
  await page.getByRole("button", { name: `Delete pool ${EAST.name}` }).click();
  const ask = page.getByRole("dialog", { name: `Delete pool "${EAST.name}"?` });
  await ask.getByRole("button", { name: "Delete pool" }).click();
  await expect(page.getByText(`Pool "${EAST.name}" was disabled, not deleted: 2 port sets stay in quarantine until`)).toBeVisible();

  // A pool with a live lease: the server answers with the count, and the dialog asks again with it.
  await trpc(admin, "pools.create", WEST, "mutation");
  await leaseClients(admin, [macOf(1, 3)], "2001:db8:4ea7:21::1");
  await page.goto("/pools");
  await page.getByRole("button", { name: `Delete pool ${WEST.name}` }).click();
  await page.getByRole("dialog", { name: `Delete pool "${WEST.name}"?` }).getByRole("button", { name: "Delete pool" }).click();
  const revoke = page.getByRole("dialog", { name: `Revoke 1 live lease and delete "${WEST.name}"?` });
  await expect(revoke).toContainText("1 live lease of this pool is in use");
  await revoke.getByRole("button", { name: "Revoke 1 lease and delete" }).click();
  await expect(page.getByText(`Pool "${WEST.name}" was disabled, not deleted: 1 port set stays in quarantine until`)).toBeVisible();
  expect((await trpc<{ pool: { liveLeases: number; quarantinedLeases: number; enabled: boolean } }>(admin, "pools.get", { id: await poolId(WEST.name) }, "query")).pool).toMatchObject({
    liveLeases: 0,
    quarantinedLeases: 1,
    enabled: false,
  });

  // A pool without leases goes at once, after the one question.
  await trpc(admin, "pools.create", TEMP, "mutation");
  await page.goto("/pools");
  const row = page.getByRole("row").filter({ hasText: TEMP.name });
  await row.getByRole("button", { name: `Delete pool ${TEMP.name}` }).click();
  await page.getByRole("dialog", { name: `Delete pool "${TEMP.name}"?` }).getByRole("button", { name: "Delete pool" }).click();
  await expect(page).toHaveURL(`/pools?deleted=${TEMP.name}`);
  await expect(page.getByText(`Pool “${TEMP.name}” was deleted.`)).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: TEMP.name })).toHaveCount(0);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/pools-list-${scheme}.png`, fullPage: true, animations: "disabled" });
  }
});

test("a viewer reads pools but gets no way to change them", async ({ page }) => {
  await trpc(admin, "operators.create", { username: VIEWER.username, password: VIEWER.password, role: "VIEWER" }, "mutation");
  await signOut(page);
  await signIn(page, VIEWER.username, VIEWER.password);
  await page.goto("/pools");
  await expect(page.getByRole("row").filter({ hasText: EAST.name })).toBeVisible();
  await expect(page.getByRole("link", { name: "New pool" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete pool/ })).toHaveCount(0);
  await page.getByRole("link", { name: EAST.name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: EAST.name })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("readonly", "");
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await expect(page.getByText("You are signed in as a viewer: an admin can change this pool.")).toBeVisible();
  await expect(figure(page, "Total capacity")).toContainText("15"); // the one address left × 15 usable PSIDs
  await page.goto("/pools/new");
  await expect(page.getByText("Creating pools needs the admin role")).toBeVisible();
});
