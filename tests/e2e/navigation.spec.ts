import { expect, test } from "@playwright/test";
import { ADMIN, sectionNav, signIn } from "./fixtures";

const SECTIONS = [
  { label: "Dashboard", path: "/" },
  { label: "Pools", path: "/pools" },
  { label: "Leases", path: "/leases" },
  { label: "Audit", path: "/audit" },
  { label: "Operators", path: "/operators" },
];

test.beforeEach(async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
});

test("every section is one click away, and the nav marks the current one", async ({ page }) => {
  const nav = sectionNav(page);
  for (const section of SECTIONS) {
    await nav.getByRole("link", { name: section.label }).click();
    await expect(page).toHaveURL(section.path);
    await expect(page.getByRole("heading", { level: 1, name: section.label })).toBeVisible();
    await expect(nav.getByRole("link", { name: section.label })).toHaveAttribute("aria-current", "page");
    await expect(nav.locator("[aria-current]")).toHaveCount(1);
  }
});

test("the nav works from the keyboard", async ({ page }) => {
  await sectionNav(page).getByRole("link", { name: "Audit" }).focus();
  await page.keyboard.press("Tab"); // to "Operators"
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL("/operators");
  await expect(page.getByRole("heading", { level: 1, name: "Operators" })).toBeVisible();
});

test("the dashboard shows the worker, the database and the no-pools state", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText("No pools yet — the 4o6 server has no IPv4 addresses to hand out")).toBeVisible();
  // DHCP_ADDRESS=::1 and DHCP_PORT=0 in playwright.config.ts: listening on an ephemeral port of ::1.
  await expect(page.getByText("Listening")).toBeVisible();
  await expect(page.getByText(/on \[::1\]:\d+/)).toBeVisible();
  await expect(page.getByText("Healthy")).toBeVisible();
  await expect(page.getByText(/SQLite .*portshare\.db/)).toBeVisible();
  await expect(page.getByRole("definition").first()).toHaveText("0"); // every lease count starts at 0
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
});

test("the dashboard's skeleton has the shape of the dashboard, so nothing jumps when it loads", async ({ page }) => {
  // Hold the summary back long enough to measure the skeleton.
  await page.route("**/api/trpc/dashboard.summary**", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  const boxes = () =>
    page.locator("main section").evaluateAll((sections) =>
      sections.slice(0, 6).map((section) => {
        const box = section.getBoundingClientRect();
        return { top: Math.round(box.top), height: Math.round(box.height) };
      }),
    );
  await page.goto("/");
  await expect(page.getByRole("status", { name: "Loading the dashboard" })).toBeVisible();
  const loading = await boxes();
  await expect(page.getByRole("status", { name: "Loading the dashboard" })).toHaveCount(0);
  expect(await boxes()).toEqual(loading);
});

test("pools and leases show their empty states", async ({ page }) => {
  await page.goto("/pools");
  await expect(page.getByText("No pools yet")).toBeVisible();
  await page.goto("/leases");
  await expect(page.getByText("No leases yet")).toBeVisible();
});
