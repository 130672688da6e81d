/**
 * portshare-client: the command line around a ClientSession. See HELP (cli-args.ts) for usage
 * and exit codes; `npm run client -- --help`.
 */
import { networkInterfaces } from "node:os";
import { pathToFileURL } from "node:url";
import { formatIpv4 } from "../wire";
import { EXIT, HELP, parseCliArgs, UsageError, type CliOptions } from "./cli-args";
import type { Lease } from "./lease";
import type { BindVia } from "./lease-state";
import { duidLl, type ClientIdentity } from "./messages";
import { describeBinding, leaseJson, leaseSummary, natRules, rangeLines } from "./report";
import { ClientSession, releaseStoredLease, type SessionEvent, type SessionOutcome } from "./session";
import { formatEndpoint, sourceAddressToward, TransportError, UdpTransport, type Transport } from "./transport";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Registers handlers for SIGINT/SIGTERM; returns their remover. */
  onSignal?: (handler: (signal: string) => void) => () => void;
  /** Ends the process at once (a second SIGINT while the RELEASE is on its way). */
  forceExit?: (code: number) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal(handler) {
    const h = (signal: NodeJS.Signals) => handler(signal);
    process.on("SIGINT", h);
    process.on("SIGTERM", h);
    return () => {
      process.off("SIGINT", h);
      process.off("SIGTERM", h);
    };
  },
  forceExit: (code) => process.exit(code),
};

/** The first non-internal interface's MAC, else a fixed locally administered one. */
function defaultMac(): Uint8Array {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (!entry.internal && entry.mac && entry.mac !== "00:00:00:00:00:00") return Uint8Array.from(Buffer.from(entry.mac.replace(/:/g, ""), "hex"));
    }
  }
  return Uint8Array.of(0x02, 0, 0, 0, 0, 1);
}

function identityOf(options: CliOptions): ClientIdentity {
  const mac = options.mac ?? defaultMac();
  return { mac, iaid: options.iaid, duid: options.duid ?? duidLl(mac) };
}

/** The client's IPv6 source: the bound address, else the one the system picks toward the first server. */
async function sourceAddressOf(options: CliOptions): Promise<string> {
  const bound = options.bind.split("%")[0]!;
  if (bound !== "::") return bound;
  return (await sourceAddressToward(options.servers[0]!)) ?? "::";
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

/** Runs the client; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`portshare-client: ${error.message}\n`);
    return EXIT.USAGE;
  }
  if (options.help) {
    io.stdout(HELP);
    return EXIT.OK;
  }

  const fail = (message: string, code: number, reason: string) => {
    if (options.json) io.stdout(json({ event: "failed", reason, message, exitCode: code }));
    io.stderr(`portshare-client: ${message}\n`);
    return code;
  };

  let transport: Transport;
  try {
    transport = await UdpTransport.open({ address: options.bind, port: options.port });
  } catch (error) {
    if (error instanceof TransportError) return fail(error.message, EXIT.ERROR, "socket");
    throw error;
  }
  try {
    if (options.verbose && options.relayHops === 0 && transport.localPort !== 546) {
      io.stderr(`note: direct replies go to UDP port 546 (RFC 8415 §7.2); on port ${transport.localPort} only a server configured to answer there, or --relay-hops, will reach this client\n`);
    }
    const identity = identityOf(options);
    const sourceAddress = await sourceAddressOf(options);
    const relay = options.relayHops > 0 ? { hops: options.relayHops, linkAddress: options.linkAddress, interfaceId: options.interfaceId ? new TextEncoder().encode(options.interfaceId) : undefined } : undefined;

    if (options.releaseOnly) {
      let lease: Lease | undefined;
      try {
        lease = await releaseStoredLease({ identity, transport, leaseFile: options.leaseFile!, sourceAddress, relay });
      } catch (error) {
        return fail((error as Error).message, EXIT.USAGE, "lease-file");
      }
      if (!lease) return fail(`no lease stored in ${options.leaseFile}: nothing to release`, EXIT.USAGE, "lease-file");
      printReleased(io, options, lease);
      return EXIT.OK;
    }

    const session = new ClientSession({
      identity,
      prefs: { shared: options.shared, psidLengthHint: options.psidLength, softwireSource: options.softwireSource },
      preferShared: options.preferShared,
      servers: options.servers,
      transport,
      sourceAddress,
      relay,
      retransmit: { firstWaitMs: options.waitSeconds * 1000, attempts: options.attempts },
      overrides: { renewAfterSeconds: options.renewAfter, rebindAfterSeconds: options.rebindAfter },
      leaseFile: options.leaseFile,
      mode: options.mode,
      releaseWhenBound: options.mode === "once" && options.release,
      onEvent: (event) => printEvent(io, options, event),
    });
    let interrupted = 0;
    const removeSignals = io.onSignal?.(() => {
      interrupted++;
      if (interrupted === 1) void session.stop();
      else io.forceExit?.(EXIT.INTERRUPTED);
    });
    let outcome: SessionOutcome;
    try {
      outcome = await session.run();
      await session.flush();
    } finally {
      removeSignals?.();
    }
    switch (outcome.kind) {
      case "bound":
      case "released":
        return EXIT.OK;
      case "stopped":
        if (options.json) io.stdout(json({ event: "failed", reason: "interrupted", message: "interrupted before a lease was bound", exitCode: EXIT.INTERRUPTED }));
        return EXIT.INTERRUPTED;
      case "gave-up": {
        const code = outcome.reason === "nak" ? EXIT.NAKED : EXIT.NO_ANSWER;
        const what = outcome.reason === "nak" ? "NAKed" : "no answer";
        return fail(`${what}: ${outcome.detail} (no IPv4 link-local fallback, RFC 7618 §7.1)`, code, outcome.reason);
      }
    }
  } finally {
    await transport.close();
  }
}

function printReleased(io: CliIo, options: CliOptions, lease: Lease): void {
  if (options.json) io.stdout(json({ event: "released", lease: leaseJson(lease) }));
  else io.stdout(`Released: ${describeBinding(lease)} to ${formatIpv4(lease.serverId)} at ${formatEndpoint(lease.server)}\n`);
}

function printBound(io: CliIo, options: CliOptions, lease: Lease, via: BindVia, first: boolean): void {
  const nat = options.nat ? natRules(lease, options.nat, options.natInterface) : undefined;
  if (options.json) {
    const event: Record<string, unknown> = { event: "bound", via, lease: leaseJson(lease) };
    if (nat) event.nat = { style: options.nat, lines: nat };
    io.stdout(json(event));
    return;
  }
  io.stdout(`${leaseSummary(lease, via)}\n`);
  if (first || options.verbose) {
    if (options.ranges) io.stdout(`Port ranges:\n${rangeLines(lease).map((l) => `  ${l}`).join("\n")}\n`);
    if (nat) io.stdout(`${nat.join("\n")}\n`);
  }
}

function printEvent(io: CliIo, options: CliOptions, event: SessionEvent): void {
  const verbose = (text: string) => {
    if (options.verbose) io.stderr(`${new Date().toISOString()} ${text}\n`);
  };
  switch (event.kind) {
    case "start":
      return verbose(`start: ${event.decision.kind === "init-reboot" ? "INIT-REBOOT" : "DISCOVER"} (${event.decision.reason})`);
    case "sent":
      return verbose(`sent ${event.label} to ${formatEndpoint(event.to)} (U=${event.unicast ? 1 : 0}${event.relayHops ? `, ${event.relayHops} relay layer${event.relayHops === 1 ? "" : "s"}` : ""})`);
    case "received":
      return verbose(`received ${event.bytes} bytes from ${formatEndpoint(event.from)}`);
    case "state":
      return verbose(`state ${event.from} -> ${event.to}`);
    case "note":
      return verbose(event.text);
    case "bound":
      return printBound(io, options, event.lease, event.via, event.via === "selecting" || event.via === "init-reboot");
    case "nak": {
      const from = event.serverId !== undefined ? ` from ${formatIpv4(event.serverId)}` : "";
      if (options.json) io.stdout(json({ event: "nak", state: event.in, serverId: event.serverId === undefined ? null : formatIpv4(event.serverId), message: event.message ?? null }));
      else io.stderr(`DHCPNAK in ${event.in}${from}${event.message ? `: ${event.message}` : ""} — starting over with DISCOVER\n`);
      return;
    }
    case "lease-lost":
      if (event.reason === "expired") {
        if (options.json) io.stdout(json({ event: "expired", address: formatIpv4(event.slot.address), portParams: event.slot.portParams ?? null }));
        else io.stderr(`Lease of ${describeBinding(event.slot)} expired — starting over with DISCOVER\n`);
      }
      return;
    case "released":
      return printReleased(io, options, event.lease);
    case "gave-up":
      return; // reported with the exit code
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`portshare-client: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT.ERROR;
    },
  );
}
