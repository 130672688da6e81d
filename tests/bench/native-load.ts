// runLoad's native twin: the same exchanges from tests/bench/native/load4o6.c, a small C
// program that drives them with a fraction of a core (the TypeScript generator needs a whole
// one near 16k DORA/s, which leaves a 2-core box no room for the server under test).
// The binary is built on first use into .tmp/bench (gitignored) with the system gcc, and
// rebuilt when the source is newer; leases travel through files in a temporary directory.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HeldLease, LoadOptions, LoadResult, LoadTarget } from "./load-generator";

const root = path.resolve(import.meta.dirname, "..", "..");
/** The native programs of the bench, built into .tmp/bench (gitignored). */
export type NativeProgram = "load4o6" | "echo4o6";
const sourceOf = (program: NativeProgram) => path.join(root, `tests/bench/native/${program}.c`);
export const binaryOf = (program: NativeProgram) => path.join(root, `.tmp/bench/${program}`);
/** Where the generator is built. */
export const NATIVE_LOAD_BINARY = binaryOf("load4o6");

export interface NativeLoadOptions extends LoadOptions {
  /** New exchanges per second (paced); the window still caps the outstanding ones. */
  rate?: number;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const mtime = (file: string) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

const building = new Map<NativeProgram, Promise<string>>();

/** Compiles a native program when its binary is missing or older than its source; resolves to the binary. */
export function buildNative(program: NativeProgram): Promise<string> {
  const source = sourceOf(program);
  const binary = binaryOf(program);
  const built = mtime(binary);
  if (built !== undefined && built >= (mtime(source) ?? Infinity)) return Promise.resolve(binary);
  let pending = building.get(program);
  if (!pending) {
    pending = (async () => {
      mkdirSync(path.dirname(binary), { recursive: true });
      // Build beside the target and rename, so concurrent builders never run a half-written file.
      const partial = `${binary}.${process.pid}.tmp`;
      const result = await run("gcc", ["-O2", "-std=gnu11", "-Wall", "-o", partial, path.relative(root, source)]);
      if (result.code !== 0) {
        rmSync(partial, { force: true });
        throw new Error(`gcc failed to build ${path.relative(root, source)} (exit ${result.code}):\n${result.stderr}`);
      }
      renameSync(partial, binary);
      return binary;
    })().finally(() => building.delete(program));
    building.set(program, pending);
  }
  return pending;
}

/** Compiles load4o6.c when needed; resolves to the binary. */
export const buildNativeLoad = () => buildNative("load4o6");

/** Whether the native generator can run here: gcc builds it (or an up-to-date binary exists). */
export async function nativeLoadAvailable(): Promise<boolean> {
  try {
    await buildNativeLoad();
    return true;
  } catch {
    return false;
  }
}

/** `[v6]:port` or `v4:port`, as load4o6 --target takes it. */
const targetArgument = (t: LoadTarget) => (t.address.includes(":") ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`);

const leaseLine = (l: HeldLease) =>
  `${l.client} ${l.address} ${l.portParams?.offset ?? 0} ${l.portParams?.psidLength ?? 0} ${l.portParams?.psid ?? 0} ${l.serverId}\n`;

function parseLeases(text: string): HeldLease[] {
  const leases: HeldLease[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [client, address, offset, psidLength, psid, serverId] = line.trim().split(/\s+/).map(Number);
    if (serverId === undefined) throw new Error(`load4o6 wrote a malformed lease line: ${line}`);
    const none = offset === 0 && psidLength === 0 && psid === 0;
    leases.push({ client: client!, address: address!, portParams: none ? null : { offset: offset!, psidLength: psidLength!, psid: psid! }, serverId });
  }
  return leases;
}

/** The command-line arguments of load4o6 for `options` (held and leases files aside). */
export function nativeLoadArguments(options: NativeLoadOptions): string[] {
  if (options.targets.length === 0) throw new Error("runNativeLoad needs at least one target");
  const args = options.targets.flatMap((t) => ["--target", targetArgument(t)]);
  args.push("--spread", options.spread ?? "client", "--mode", options.mode, "--clients", String(options.clients));
  args.push("--first-client", String(options.firstClient ?? 0), "--window", String(options.window), "--seconds", String(options.maxSeconds));
  args.push("--retransmit-ms", String(Math.max(1, Math.round((options.retransmitSeconds ?? 1) * 1000))), "--retries", String(options.retries ?? 3));
  if (options.rate !== undefined) args.push("--rate", String(options.rate));
  if (options.relay === false) args.push("--direct");
  return args;
}

/** runLoad (tests/bench/load-generator.ts) done by load4o6; `held` gives the leases to renew or release. */
export async function runNativeLoad(options: NativeLoadOptions, held: HeldLease[] = []): Promise<LoadResult> {
  const binary = await buildNativeLoad();
  const dir = mkdtempSync(path.join(tmpdir(), "portshare-load4o6-"));
  try {
    const args = nativeLoadArguments(options);
    if (held.length > 0) {
      const heldFile = path.join(dir, "held.txt");
      writeFileSync(heldFile, held.map(leaseLine).join(""));
      args.push("--held", heldFile);
    }
    const leasesFile = path.join(dir, "leases.txt");
    args.push("--leases-out", leasesFile);
    const result = await run(binary, args);
    if (result.code !== 0) {
      throw new Error(`load4o6 failed (${result.signal ?? `exit ${result.code}`}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    const line = result.stdout.trim().split("\n").pop() ?? "";
    const summary = JSON.parse(line) as Omit<LoadResult, "leases">;
    return { ...summary, mode: options.mode, leases: parseLeases(readFileSync(leasesFile, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
