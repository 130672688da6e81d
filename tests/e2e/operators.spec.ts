import { expect, test, type Page } from "@playwright/test";
import { ADMIN, signIn, signOut } from "./fixtures";

// One story, in order: the admin adds a viewer, the viewer is refused admin work, the admin
// then manages the viewer's account.
test.describe.configure({ mode: "serial" });

const VIEWER = { username: "vera", password: "vera-password-1" };

const operatorRow = (page: Page, username: string) => page.getByRole("row").filter({ has: page.getByText(username, { exact: true }) });

test("an admin adds a viewer through the Operators form, and the audit log records it", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto("/operators");
  const form = page.getByRole("region", { name: "Add operator" });

  // Checked in the browser first, with the server's own rule and message.
  await form.getByLabel("Username").fill(VIEWER.username);
  await form.getByLabel("Password").fill("short");
  await form.getByRole("button", { name: "Add operator" }).click();
  await expect(form.getByText("Password must be at least 10 characters")).toBeVisible();
  await expect(form.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Password").fill(VIEWER.password);
  await form.getByLabel("Role").selectOption("VIEWER");
  await form.getByRole("button", { name: "Add operator" }).click();
  await expect(form.getByText("vera can now sign in as a viewer.")).toBeVisible();
  const row = operatorRow(page, VIEWER.username);
  await expect(row).toContainText("Viewer");
  await expect(row).toContainText("Active");

  // Only the server knows the name is taken: its fieldErrors land next to the username.
  await form.getByLabel("Username").fill(VIEWER.username);
  await form.getByLabel("Password").fill("another-password");
  await form.getByRole("button", { name: "Add operator" }).click();
  await expect(form.getByText(`An operator named "${VIEWER.username}" already exists`)).toBeVisible();
  await expect(form.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");

  await page.goto("/audit");
  const entry = page.getByRole("row").filter({ hasText: "operator.create" }).filter({ hasText: VIEWER.username });
  await expect(entry).toContainText("admin");
  await expect(entry).toContainText("role: VIEWER");

  // The filters go into the URL and narrow the list.
  await page.getByLabel("Operator").selectOption("system");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/actor=system/);
  await expect(page.getByRole("row").filter({ hasText: VIEWER.username })).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: "operator.create" })).toHaveCount(1); // the first admin
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL("/audit");
  await expect(entry).toBeVisible();
});

test("a viewer is refused operator management, by the page and by the server", async ({ page }) => {
  await signIn(page, VIEWER.username, VIEWER.password);
  await expect(page.getByText("Viewer", { exact: true })).toBeVisible();

  await page.goto("/operators");
  await expect(page.getByText("Managing operators needs the admin role")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add operator" })).toHaveCount(0);

  // The page is not the guard: the API itself refuses the viewer (superjson wire format).
  const create = await page.request.post("/api/trpc/operators.create", {
    data: { json: { username: "mallory", password: "mallory-password", role: "ADMIN" } },
  });
  expect(create.status()).toBe(403);
  expect(await create.text()).toContain("This action needs the admin role");
  const list = await page.request.get("/api/trpc/operators.list");
  expect(list.status()).toBe(403);

  // Everything else is open to a viewer.
  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  await signOut(page);
});

test("an admin changes the viewer's role, disables and enables the account, and resets the password", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto("/operators");
  const row = operatorRow(page, VIEWER.username);

  await row.getByRole("button", { name: "Make admin" }).click();
  await expect(row.getByText("Admin", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: "Make viewer" }).click();
  await expect(row.getByText("Viewer", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("Disabled", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();

  // The admin's own row cannot demote or disable the admin (that would lock them out mid-click).
  const own = operatorRow(page, ADMIN.username);
  await expect(own.getByRole("button", { name: "Make viewer" })).toBeDisabled();
  await expect(own.getByRole("button", { name: "Disable" })).toBeDisabled();

  await row.getByRole("button", { name: "Reset password" }).click();
  const newPassword = row.getByLabel(`New password for ${VIEWER.username}`);
  await newPassword.fill("too-short");
  await row.getByRole("button", { name: "Set password", exact: true }).click();
  await expect(row.getByText("Password must be at least 10 characters")).toBeVisible();
  await newPassword.fill("vera-new-password-2");
  await row.getByRole("button", { name: "Set password", exact: true }).click();
  await expect(row.getByText("New password set; vera was signed out.")).toBeVisible();

  await page.goto("/audit");
  for (const action of ["operator.role", "operator.disable", "operator.enable", "operator.password"]) {
    await expect(page.getByRole("row").filter({ hasText: action }).first()).toContainText(VIEWER.username);
  }
  await signOut(page);

  await signIn(page, VIEWER.username, "vera-new-password-2");
});
