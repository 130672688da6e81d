import path from "node:path";
import { expect, type Page } from "@playwright/test";

/** The e2e server's scratch folder, emptied before each run (playwright.config.ts). */
export const E2E_DIR = path.join(import.meta.dirname, "..", "..", ".tmp", "e2e");
export const E2E_DATABASE_FILE = path.join(E2E_DIR, "portshare.db");

/** The first admin's password; playwright.config.ts hands it to the server as PORTSHARE_ADMIN_PASSWORD. */
export const ADMIN = { username: "admin", password: "e2e-admin-password-1" } as const;

/** Signs in through the login form and waits until the console shows who is signed in. */
export async function signIn(page: Page, username: string, password: string, path = "/login"): Promise<void> {
  await page.goto(path);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("operator-name")).toHaveText(username);
}

/** Signs out with the header button and waits for the login page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** The console's section nav. */
export const sectionNav = (page: Page) => page.getByRole("navigation", { name: "Console sections" });
