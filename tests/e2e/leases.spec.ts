import { readFile } from "node:fs/promises";
import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";
import { DhcpMessageType, portParams, serverIdentifier } from "@/server/wire";
import { csvObjects } from "../support/csv";
import { dhcpv4Query, dhcpv4Request, relayed, rfc4361ClientIdOf, TestClient, type QueryInit } from "../support/test-client";
import { ADMIN, signIn, signOut } from "./fixtures";

// Runs after "with-data" (playwright.config.ts): real 4o6 clients lease from a pool made
// through the API, then an admin finds, inspects, revokes and exports them in the console, and
// a viewer is refused the revocation.
test.describe.configure({ mode: "serial" });

const POOL = {
  name: "e2e-4o6",
  kind: "shared",
  range: "100.64.10.0/28",
  psidOffset: 6,
  psidLength: 4,
  leaseTime: 3600,
  brAddress: "2001:db8:ffff::1",
  // Queries relayed from this link get this pool only (the seeded pools serve everyone else).
  linkAddressPrefix: "2001:db8:e2e::/48",
};
const RELAY = { linkAddress: "2001:db8:e2e::1", interfaceId: "ge-0/0/7.100" };
const VIEWER = { username: "lease-viewer", password: "lease-viewer-pw-1" };
const CLIENTS = [1, 2, 3].map((n) => ({
  mac: Uint8Array.of(0x02, 0xe2, 0xe0, 0x00, 0x00, n),
  macText: `02:e2:e0:00:00:0${n}`,
  softwire: `2001:db8:e2e:1::${n}`,
}));
/** Hex of a client's RFC 4361 client id (255, IAID 1, DUID-LL of its MAC). */
const clientIdHex = (mac: Uint8Array) => Buffer.from(rfc4361ClientIdOf(mac)).toString("hex");

// --- tRPC over HTTP, as the console's client does it (superjson envelope) ------------------

async function trpc<T>(api: APIRequestContext, path: string, input: unknown, kind: "query" | "mutation"): Promise<T> {
  const response =
    kind === "query"
      ? await api.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
      : await api.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!response.ok() || !body.result) throw new Error(`${path}: ${response.status()} ${body.error?.json.message ?? ""}`);
  return body.result.data.json;
}

let baseURL: string | undefined;

async function apiAs(username: string, password: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL });
  await trpc(api, "auth.signIn", { username, password }, "mutation");
  return api;
}

// --- a 4o6 client through a relay (option 135 brings the reply back to our socket) ---------

async function leaseThroughRelay(socket: TestClient, client: (typeof CLIENTS)[number]) {
  const send = (init: QueryInit) =>
    socket.exchange(relayed(dhcpv4Query(dhcpv4Request(init)), [{ ...RELAY, peerAddress: "fe80::e2e", relayPort: socket.port }]), 3000);
  const offer = await send({ type: DhcpMessageType.DISCOVER, mac: client.mac, shared: true });
  expect(offer?.type, "OFFER").toBe(DhcpMessageType.OFFER);
  const params = portParams(offer!.dhcpv4)!;
  expect(params).toMatchObject({ offset: 6, psidLength: 4 });
  const ack = await send({
    type: DhcpMessageType.REQUEST, mac: client.mac, shared: true, requestedIp: offer!.dhcpv4.yiaddr,
    serverId: serverIdentifier(offer!.dhcpv4), portParams: params, softwireSource: client.softwire,
  });
  expect(ack?.type, "ACK").toBe(DhcpMessageType.ACK);
  return { address: ack!.dhcpv4.yiaddr, psid: params.psid };
}

const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const leaseRows = (page: Page) => page.getByRole("table", { name: /^Leases/ }).getByRole("row");

let admin: APIRequestContext;
let bound: { address: number; psid: number }[] = [];

test.beforeAll(async ({}, workerInfo) => {
  baseURL = workerInfo.project.use.baseURL;
  admin = await apiAs(ADMIN.username, ADMIN.password);
  await trpc(admin, "pools.create", POOL, "mutation");
  await trpc(admin, "operators.create", { username: VIEWER.username, password: VIEWER.password, role: "VIEWER" }, "mutation");
  const summary = await trpc<{ health: { worker: { port?: number } } }>(admin, "dashboard.summary", undefined, "query");
  const port = summary.health.worker.port;
  expect(port, "the 4o6 worker's UDP port").toBeGreaterThan(0);
  const socket = await TestClient.open(port!);
  try {
    bound = [];
    for (const client of CLIENTS) bound.push(await leaseThroughRelay(socket, client));
  } finally {
    socket.close();
  }
});

test.afterAll(async () => {
  await admin?.dispose();
});

test("an admin finds a lease by part of its client id; the table shows the decoded id, PSID and ports", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto("/leases");
  const search = page.getByRole("searchbox", { name: "Search" });
  await search.fill(clientIdHex(CLIENTS[0]!.mac).slice(-12)); // the MAC part of the DUID
  await search.press("Enter");
  await expect(page).toHaveURL(/\/leases\?q=02e2e0000001$/);
  await expect(page.getByTestId("lease-count")).toHaveText(/^1 lease match/);
  const rows = leaseRows(page);
  await expect(rows).toHaveCount(2); // header + 1
  const row = rows.nth(1);
  const { address, psid } = bound[0]!;
  await expect(row.getByRole("cell").nth(0)).toHaveText(dotted(address));
  await expect(row.getByRole("cell").nth(1)).toContainText(`${psid}63 ranges of 64 ports, 4032 ports`);
  await expect(row).toContainText(`IAID 1 · DUID-LL ${CLIENTS[0]!.macText}`);
  await expect(row).toContainText(CLIENTS[0]!.macText);
  await expect(row).toContainText(`${CLIENTS[0]!.softwire}softwire`);
  await expect(row).toContainText(POOL.name);
  await expect(row).toContainText("Bound");

  // The pool filter and a sort go into the URL too; a header link sorts by that column.
  await page.goto(`/leases?pool=${POOL.name}`);
  await expect(page.getByTestId("lease-count")).toHaveText(/^3 leases match/);
  await page.getByRole("link", { name: /^Address/ }).click();
  await expect(page).toHaveURL(`/leases?pool=${POOL.name}&sort=address&dir=asc`);
  await expect(page.getByRole("columnheader", { name: /Address/ })).toHaveAttribute("aria-sort", "ascending");
  const shown = await leaseRows(page).locator("td:first-child").allTextContents();
  const expected = [...bound].sort((a, b) => a.address - b.address || a.psid - b.psid).map((b) => dotted(b.address));
  expect(shown).toEqual(expected);
  await page.getByRole("link", { name: /^Address/ }).click();
  await expect(page).toHaveURL(`/leases?pool=${POOL.name}&sort=address&dir=desc`);
  await expect(page.getByRole("columnheader", { name: /Address/ })).toHaveAttribute("aria-sort", "descending");

  // Screenshots of the table, light and dark.
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`/leases?pool=${POOL.name}`);
    await expect(leaseRows(page)).toHaveCount(4);
    await page.screenshot({ path: `test-results/leases-table-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
});

test("a search the server cannot read is explained next to the search field", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto("/leases?q=not-a-lease!");
  const search = page.getByRole("searchbox", { name: "Search" });
  await expect(search).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText('"not-a-lease!" is not a client identifier (hex), an IPv4 address or range')).toBeVisible();
  await page.goto("/leases?q=100.64.10.0%2F27&field=ipv4");
  await expect(page.getByText("100.64.10.0/27 has host bits set")).toHaveCount(0);
  await expect(page.getByTestId("lease-count")).toHaveText(/^3 leases match/);
  await page.goto("/leases?q=100.64.10.1%2F24");
  await expect(page.getByText("100.64.10.1/24 has host bits set; the prefix is 100.64.10.0/24")).toBeVisible();
});

test("the lease page shows the port ranges, the relay chain and the history, and an admin revokes it", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto(`/leases?q=${clientIdHex(CLIENTS[0]!.mac)}&field=client`);
  const { address, psid } = bound[0]!;
  await page.getByRole("link", { name: `Lease ${dotted(address)} PSID ${psid}, details` }).click();
  await expect(page).toHaveURL(/\/leases\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Lease ${dotted(address)} · PSID ${psid}`);

  await expect(page.getByRole("list", { name: "Port ranges" }).getByRole("listitem")).toHaveCount(63);
  const binding = page.getByRole("region", { name: "Binding" });
  await expect(binding).toContainText("offset a = 6, PSID length k = 4");
  const subscriber = page.getByRole("region", { name: "Subscriber" });
  await expect(subscriber).toContainText(clientIdHex(CLIENTS[0]!.mac));
  await expect(subscriber).toContainText("DUID-LL");
  await expect(subscriber).toContainText(CLIENTS[0]!.softwire);
  await expect(subscriber).toContainText("softwire source (option 109)");
  const relay = page.getByRole("table", { name: "Relay chain" });
  await expect(relay).toContainText(RELAY.linkAddress);
  await expect(relay).toContainText("fe80::e2e");
  await expect(relay).toContainText(`"${RELAY.interfaceId}"`);
  const history = page.getByRole("table", { name: "Lease history" });
  await expect(history.getByRole("row").filter({ hasText: "client" })).not.toHaveCount(0);
  await expect(history).toContainText("Bound");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/lease-detail-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });

  // Revoke: the dialog says what happens, Cancel is focused, Escape closes it.
  await page.getByRole("button", { name: "Revoke lease…" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke this lease" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("revoke-count")).toContainText(`1 lease (${dotted(address)} · PSID ${psid}) will be revoked; its port set stays quarantined until`);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Revoke lease…" }).click();
  await dialog.getByLabel(/Reason/).fill("e2e: abuse report");
  await page.screenshot({ path: "test-results/screens/lease-revoke-dialog.png" });
  await dialog.getByRole("button", { name: "Revoke lease" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/Revoked\. The port set stays quarantined until/)).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 }).locator("..").getByText("Revoked")).toBeVisible();
  await expect(history.getByRole("row").last()).toContainText("operator");
  await expect(history.getByRole("row").last()).toContainText("admin");
  await expect(history.getByRole("row").last()).toContainText("e2e: abuse report");
  await expect(page.getByRole("button", { name: "Revoke lease…" })).toHaveCount(0);
  const leaseUrl = page.url();

  // The audit log says who did it, to what, and what changed.
  await page.goto("/audit?action=lease.revoke");
  const entry = page.getByRole("row").filter({ hasText: "lease.revoke" }).first();
  await expect(entry).toContainText("admin");
  await expect(entry).toContainText(`${dotted(address)} · PSID ${psid}`);
  await expect(entry).toContainText("e2e: abuse report");
  await entry.getByRole("link", { name: /^lease \d+$/ }).click();
  await expect(page).toHaveURL(leaseUrl);
});

test("both exports download with the current filters and hold the leases and bindings", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto(`/leases?pool=${POOL.name}`);
  const today = new Date().toISOString().slice(0, 10);
  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
    return { name: file.suggestedFilename(), text: await readFile((await file.path())!, "utf8") };
  };

  const leases = await download("Leases CSV");
  expect(leases.name).toBe(`portshare-leases-${POOL.name}-${today}.csv`);
  const { rows } = csvObjects(leases.text);
  expect(rows).toHaveLength(3);
  expect(rows.map((row) => row.client_id).sort()).toEqual(CLIENTS.map((c) => clientIdHex(c.mac)).sort());
  expect(rows.every((row) => row.pool === POOL.name && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(row.expires_at!))).toBe(true);
  expect(rows.map((row) => row.state).sort()).toEqual(["BOUND", "BOUND", "REVOKED"]);

  const json = await download("Bindings JSON");
  expect(json.name).toBe(`portshare-bindings-${POOL.name}-${today}.json`);
  const entries = (JSON.parse(json.text) as { "binding-entry": Array<Record<string, unknown>> })["binding-entry"];
  // The revoked lease is gone from the binding table.
  expect(entries.map((entry) => entry["binding-ipv6info"]).sort()).toEqual([CLIENTS[1]!.softwire, CLIENTS[2]!.softwire]);
  for (const [index, entry] of entries.entries()) {
    const lease = bound[CLIENTS.findIndex((c) => c.softwire === entry["binding-ipv6info"])]!;
    expect(entry, `entry ${index}`).toEqual({
      "binding-ipv6info": entry["binding-ipv6info"],
      "binding-ipv4-addr": dotted(lease.address),
      "port-set": { "psid-offset": 6, "psid-len": 4, psid: lease.psid },
      "br-ipv6-addr": POOL.brAddress,
    });
  }

  const csv = await download("Bindings CSV");
  expect(csv.name).toBe(`portshare-bindings-${POOL.name}-${today}.csv`);
  const bindings = csvObjects(csv.text).rows;
  expect(bindings.map((row) => [row["binding-ipv6info"], row["psid-len"], row["br-ipv6-addr"]]).sort()).toEqual(
    [CLIENTS[1]!, CLIENTS[2]!].map((c) => [c.softwire, "4", POOL.brAddress]).sort(),
  );

  // Without a session the exports answer 401.
  const anonymous = await playwrightRequest.newContext({ baseURL });
  expect((await anonymous.get(`/api/export/leases.csv?pool=${POOL.name}`)).status()).toBe(401);
  expect((await anonymous.get("/api/export/bindings.json")).status()).toBe(401);
  await anonymous.dispose();
});

test("a viewer sees the leases but cannot revoke, in the page or through the API", async ({ page }) => {
  await signIn(page, VIEWER.username, VIEWER.password);
  await page.goto(`/leases?pool=${POOL.name}`);
  await expect(leaseRows(page)).toHaveCount(4);
  await expect(page.getByRole("button", { name: "Revoke matching…" })).toHaveCount(0);
  await leaseRows(page).nth(1).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Lease /);
  await expect(page.getByRole("button", { name: "Revoke lease…" })).toHaveCount(0);

  // The server refuses whatever the page shows.
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  const revoke = await page.request.post("/api/trpc/leases.revoke", { data: { json: { id } } });
  expect(revoke.status()).toBe(403);
  const bulk = await page.request.post("/api/trpc/leases.revokeMatching", { data: { json: { filter: { pool: POOL.name }, expectedCount: 2 } } });
  expect(bulk.status()).toBe(403);
  await signOut(page);
});

test("an admin revokes every lease matching the filter after confirming the count", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.goto(`/leases?pool=${POOL.name}&state=live`);
  await expect(page.getByTestId("lease-count")).toHaveText(/^2 leases match/);
  await page.getByRole("button", { name: "Revoke matching…" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke the matching leases" });
  await expect(dialog.getByTestId("revoke-count")).toContainText("2 leases will be revoked; their port sets stay quarantined until");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/screens/leases-revoke-matching-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await dialog.getByRole("button", { name: "Revoke 2 leases" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/^Revoked 2 leases; their port sets stay quarantined until/)).toBeVisible();
  await expect(page.getByTestId("lease-count")).toHaveText(/^0 leases match/);
  await expect(page.getByText("No lease matches these filters")).toBeVisible();

  await page.goto("/audit?action=lease.revokeMatching");
  const entry = page.getByRole("row").filter({ hasText: "lease.revokeMatching" });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("admin");
  await expect(entry).toContainText("Revoked 2 leases (2 bound)");
  await expect(entry).toContainText(`filter: pool=${POOL.name} state=live`);
  await expect(entry).toContainText(`2 leases matching pool=${POOL.name}, state=live`);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/audit");
    await page.screenshot({ path: `test-results/screens/audit-leases-${scheme}.png`, fullPage: true });
  }
});
