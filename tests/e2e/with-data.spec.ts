import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./fixtures";
import { SEEDED, seedPoolsAndLeases, type Seeded } from "./seed";

// Runs after the "console" project (playwright.config.ts), which checks the empty states.
test.describe.configure({ mode: "serial" });

let seeded: Seeded;

test.beforeAll(() => {
  seeded = seedPoolsAndLeases();
});

test.beforeEach(async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
});

test("the pools table shows ranges as dotted quads, PSID layout, lease time and live leases", async ({ page }) => {
  await page.goto("/pools");
  const shared = page.getByRole("row").filter({ hasText: SEEDED.shared.name });
  await expect(shared).toContainText("Shared");
  await expect(shared).toContainText("192.0.2.0 – 192.0.2.15");
  await expect(shared).toContainText("16 addresses");
  await expect(shared).toContainText("a = 6, k = 4");
  await expect(shared).toContainText("1 h");
  await expect(shared.getByRole("cell").nth(5)).toHaveText(String(seeded.live[SEEDED.shared.name]));

  const dedicated = page.getByRole("row").filter({ hasText: SEEDED.dedicated.name });
  await expect(dedicated).toContainText("Dedicated");
  await expect(dedicated).toContainText("198.51.100.10 – 198.51.100.20");
  await expect(dedicated).toContainText("1 d");
  await expect(dedicated.getByRole("cell").nth(5)).toHaveText(String(seeded.live[SEEDED.dedicated.name]));
});

test("the leases table pages through the leases, newest first", async ({ page }) => {
  const total = SEEDED.sharedLeases + SEEDED.dedicatedLeases;
  await page.goto("/leases");
  await expect(page.getByText(`Showing 1–50 of ${total}`)).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(51); // header + 50
  await expect(page.getByRole("row").nth(1)).toContainText("198.51.100.12"); // the last one written
  await expect(page.getByRole("row").nth(1)).toContainText("Declined");

  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL("/leases?page=2");
  await expect(page.getByText(`Showing 51–${total} of ${total}`)).toBeVisible();
  // The first one written: address, then PSID with its port ranges (a = 6, k = 4).
  await expect(page.getByRole("row").last().getByRole("cell").nth(0)).toHaveText("192.0.2.0");
  await expect(page.getByRole("row").last().getByRole("cell").nth(1)).toHaveText(/^1\s*63 ranges of 64 ports/);
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL("/leases");
});

test("the dashboard counts the pools and leases", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText("1 shared · 1 dedicated")).toBeVisible();
  await expect(page.getByText(`${seeded.states.BOUND} bound · ${seeded.states.OFFERED} offered`)).toBeVisible();
  await expect(page.getByText("No pools yet")).toHaveCount(0);
});

test("the console is readable in light and dark mode", async ({ page }) => {
  const background: Record<string, string> = {};
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, path] of [
      ["dashboard", "/"],
      ["pools", "/pools"],
      ["leases", "/leases"],
      ["audit", "/audit"],
      ["operators", "/operators"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByRole("status")).toHaveCount(0); // no skeleton left
      await page.screenshot({ path: `test-results/screens/${name}-${scheme}.png`, fullPage: true });
    }
    background[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  }
  expect(background.light).not.toBe(background.dark);

  // The login page, signed out, in both schemes.
  await page.context().clearCookies();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/login");
    await page.screenshot({ path: `test-results/screens/login-${scheme}.png`, fullPage: true });
  }
});
