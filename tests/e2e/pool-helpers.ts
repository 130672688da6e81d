// Helpers of the pool and heat-map end-to-end tests: the console's tRPC API over HTTP (as the
// browser calls it), and real 4o6 clients that lease from the running server through a relay.
import { expect, request as playwrightRequest, type APIRequestContext, type Locator } from "@playwright/test";
import { DhcpMessageType, portParams, serverIdentifier } from "@/server/wire";
import { dhcpv4Query, dhcpv4Request, relayed, rfc4361ClientIdOf, TestClient, type QueryInit } from "../support/test-client";

/** Calls one tRPC procedure with the superjson envelope the console's client uses. */
export async function trpc<T>(api: APIRequestContext, path: string, input: unknown, kind: "query" | "mutation"): Promise<T> {
  const response =
    kind === "query"
      ? await api.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input ?? null }))}`)
      : await api.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!response.ok() || !body.result) throw new Error(`${path}: ${response.status()} ${body.error?.json.message ?? ""}`);
  return body.result.data.json;
}

/** A signed-in API session. */
export async function apiAs(baseURL: string | undefined, username: string, password: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL });
  await trpc(api, "auth.signIn", { username, password }, "mutation");
  return api;
}

/** The UDP port the server's 4o6 worker bound (DHCP_PORT=0 in playwright.config.ts), from dashboard.summary. */
export async function workerPort(api: APIRequestContext): Promise<number> {
  const summary = await trpc<{ health: { worker: { port?: number } } }>(api, "dashboard.summary", undefined, "query");
  const port = summary.health.worker.port;
  expect(port, "the 4o6 worker's UDP port").toBeGreaterThan(0);
  return port!;
}

export interface Grant {
  address: number;
  psid: number;
  clientId: string;
}

/** A client MAC for test `n` of a suite (`suite` keeps suites apart). */
export const macOf = (suite: number, n: number) => Uint8Array.of(0x02, 0x4e, 0xa7, suite, 0x00, n);

/**
 * DISCOVER → OFFER → REQUEST → ACK for one client, relayed from `linkAddress` with option 135
 * (RFC 8357) so that the server answers our own socket's port. The link-address selects the pool
 * scoped to it (protocol.md §3.7).
 */
export async function leaseThroughRelay(socket: TestClient, mac: Uint8Array, linkAddress: string): Promise<Grant> {
  const send = (init: QueryInit) =>
    socket.exchange(relayed(dhcpv4Query(dhcpv4Request(init)), [{ linkAddress, peerAddress: "fe80::4ea7", relayPort: socket.port }]), 3000);
  const offer = await send({ type: DhcpMessageType.DISCOVER, mac, shared: true });
  expect(offer?.type, "OFFER").toBe(DhcpMessageType.OFFER);
  const params = portParams(offer!.dhcpv4);
  const ack = await send({
    type: DhcpMessageType.REQUEST,
    mac,
    shared: true,
    requestedIp: offer!.dhcpv4.yiaddr,
    serverId: serverIdentifier(offer!.dhcpv4),
    portParams: params,
  });
  expect(ack?.type, "ACK").toBe(DhcpMessageType.ACK);
  return { address: ack!.dhcpv4.yiaddr, psid: params?.psid ?? 0, clientId: Buffer.from(rfc4361ClientIdOf(mac)).toString("hex") };
}

/** Leases one client per MAC. */
export async function leaseClients(api: APIRequestContext, macs: Uint8Array[], linkAddress: string): Promise<Grant[]> {
  const socket = await TestClient.open(await workerPort(api));
  try {
    const grants: Grant[] = [];
    for (const mac of macs) grants.push(await leaseThroughRelay(socket, mac, linkAddress));
    return grants;
  } finally {
    socket.close();
  }
}

export const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** The canvas geometry the heat map publishes in data-* attributes. */
export interface HeatGeometry {
  mode: "rows" | "flow";
  level: string;
  cell: number;
  originX: number;
  originY: number;
  itemStride: number;
  columns: number;
  perItem: number;
  first: number;
}

export async function heatGeometry(canvas: Locator): Promise<HeatGeometry> {
  const data = await canvas.evaluate((element) => ({ ...(element as HTMLElement).dataset }));
  return {
    mode: data.mode as "rows" | "flow",
    level: data.level!,
    cell: Number(data.cellSize),
    originX: Number(data.originX),
    originY: Number(data.originY),
    itemStride: Number(data.itemStride),
    columns: Number(data.columns),
    perItem: Number(data.perItem),
    first: Number(data.first),
  };
}

/** The centre of cell `index` of the heat map (canvas pixels), the same arithmetic as the component. */
export function cellCentre(g: HeatGeometry, index: number): { x: number; y: number } {
  const half = Math.floor(g.cell / 2);
  if (g.mode === "flow") return { x: g.originX + (index % g.columns) * g.cell + half, y: g.originY + Math.floor(index / g.columns) * g.cell + half };
  const item = Math.floor(index / g.perItem);
  const p = index % g.perItem;
  return { x: g.originX + (p % g.columns) * g.cell + half, y: g.originY + item * g.itemStride + Math.floor(p / g.columns) * g.cell + half };
}

/** Scrolls the heat map's box so that a canvas point is in view, and returns the point. */
export async function revealPoint(canvas: Locator, point: { x: number; y: number }): Promise<{ x: number; y: number }> {
  await canvas.evaluate((element, y) => {
    const box = element.parentElement!;
    box.scrollTop = Math.max(0, y - box.clientHeight / 2);
  }, point.y);
  return point;
}
