import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DhcpMessageType } from "@/server/wire";
import { TestClient, macOf } from "../support/test-client";

// `npm run dhcp` as an operator runs it: a real process, a real SQLite file, a pool file.
const root = path.resolve(import.meta.dirname, "..", "..");

// Every spawned worker, so a failing test leaves none running.
const started: ChildProcess[] = [];

function startWorker(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/main/dhcp.ts")], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "warn", PORTSHARE_ADMIN_PASSWORD: "worker-test-password", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(output: () => string, pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm run dhcp (the standalone worker process)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "portshare-worker-"));
    writeFileSync(
      path.join(dir, "pools.json"),
      JSON.stringify({ pools: [{ name: "full-a", kind: "dedicated", range: "198.51.100.0/26", leaseTime: 3600 }] }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates, applies the pool file, answers DHCP, refuses a taken port by name, and drains on SIGTERM", async () => {
    const env = { DATABASE_URL: `file:${path.join(dir, "w.db")}`, DHCP_ADDRESS: "::1", DHCP_PORT: "0" };
    const worker = startWorker({ ...env, PORTSHARE_POOLS: path.join(dir, "pools.json"), METRICS_PORT: "0" });
    const [, port] = await waitFor(worker.output, /Portshare 4o6 server: udp \[::1\]:(\d+)/);
    const [, metricsUrl] = await waitFor(worker.output, /Portshare worker metrics: (http:\S+)/);
    expect(worker.output()).toMatch(/Created the first operator: admin \(password from PORTSHARE_ADMIN_PASSWORD\)/);

    // A real worker answers direct queries on the DHCPv6 client port (RFC 8415 §7.2).
    const client = await TestClient.open(Number(port), "::1", 546);
    const offer = await client.query({ type: DhcpMessageType.DISCOVER, mac: macOf(7) });
    expect(offer?.type).toBe(DhcpMessageType.OFFER);
    client.close();

    const scrape = await (await fetch(metricsUrl!)).text();
    expect(scrape).toMatch(/portshare_dhcp_packets_sent_total\{type="OFFER"\} 1/);
    expect(scrape).toMatch(/portshare_pool_slots\{pool="full-a",kind="DEDICATED"\} 62/);
    expect((await fetch(metricsUrl!.replace("/metrics", "/ready"))).status).toBe(200);

    const second = startWorker({ ...env, DHCP_PORT: port! });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/cannot bind the 4o6 socket on \[::1\]:\d+: the port is in use; set DHCP_PORT/);

    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("names the variable when a setting is invalid", async () => {
    const worker = startWorker({ DATABASE_URL: `file:${path.join(dir, "x.db")}`, DHCP_PORT: "70000" });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/DHCP_PORT must be 0-65535/);
  });
});
