import { expect, test } from "@playwright/test";
import { ADMIN, signIn, signOut } from "./fixtures";

test("a signed-out visitor is sent to the login page, then back where they were going", async ({ page }) => {
  await page.goto("/pools");
  await expect(page).toHaveURL("/login?next=%2Fpools");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL("/pools");
  await expect(page.getByRole("heading", { level: 1, name: "Pools" })).toBeVisible();
  await expect(page.getByTestId("operator-name")).toHaveText("admin");
});

test("a wrong password shows an error in the form and signs nobody in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();

  // Scoped to the form: Next's route announcer is an alert too.
  await expect(page.locator("form").getByRole("alert")).toContainText("Wrong username or password");
  await expect(page).toHaveURL("/login");
  const cookies = await page.context().cookies();
  expect(cookies.map((cookie) => cookie.name)).not.toContain("portshare_session");
});

test("the session cookie is HTTP-only, so page scripts cannot read it", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  const session = (await page.context().cookies()).find((cookie) => cookie.name === "portshare_session");
  expect(session?.httpOnly).toBe(true);
  expect(await page.evaluate(() => document.cookie)).not.toContain("portshare_session");
});

test("after sign-in the login page never sends the operator to another site", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password, "/login?next=//evil.example/");
  await expect(page).toHaveURL("/");
});

test("sign out ends the session", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await signOut(page);

  // The console is closed again, and so is the API.
  await page.goto("/leases");
  await expect(page).toHaveURL("/login?next=%2Fleases");
  const response = await page.request.get("/api/trpc/dashboard.summary");
  expect(response.status()).toBe(401);
});
