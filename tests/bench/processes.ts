// Child processes and ports of the benchmark: what run.ts, the dhcp section and kea.ts share.
import type { ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";

/** A UDP port nobody holds on `address` now (or the first of two consecutive free ones). */
export async function freeUdpPort(family: "udp4" | "udp6" = "udp6", address = family === "udp6" ? "::1" : "127.0.0.1", consecutive: 1 | 2 = 1): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const held: dgram.Socket[] = [];
    const bind = (port: number) =>
      new Promise<number | undefined>((resolve) => {
        const socket = dgram.createSocket(family);
        socket.once("error", () => {
          socket.close();
          resolve(undefined);
        });
        socket.bind(port, address, () => {
          held.push(socket);
          resolve(socket.address().port);
        });
      });
    const first = await bind(0);
    const ok = first !== undefined && first < 65535 && (consecutive === 1 || (await bind(first + 1)) !== undefined);
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (ok) return first;
  }
  throw new Error(`no ${consecutive === 2 ? "pair of free consecutive" : "free"} UDP ports on ${address}`);
}

/** Waits until the child prints a line matching `pattern`; rejects if it exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${seen.slice(-2000)}`)));
  });
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // proc(5) fields 14 and 15 (utime, stime), counted after the command name's closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}
