// Command-line parsing: every error names the option; defaults; the rules between options.
import { describe, expect, it } from "vitest";
import { EXIT, HELP, parseCliArgs, parseServer, UsageError } from "@/server/client/cli-args";
import { main } from "@/server/client/cli";

const base = ["--server", "[2001:db8::547]:547"];

function usage(argv: string[]): UsageError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no UsageError for ${argv.join(" ")}`);
}

describe("parseCliArgs", () => {
  it("defaults: --once, port 546, IAID 1, 4 s first wait, 4 attempts", () => {
    expect(parseCliArgs(base)).toMatchObject({
      servers: [{ address: "2001:db8::547", port: 547 }],
      port: 546,
      bind: "::",
      mode: "once",
      iaid: 1,
      waitSeconds: 4,
      attempts: 4,
      shared: false,
      release: false,
      releaseOnly: false,
      relayHops: 0,
    });
  });

  it("takes --opt value and --opt=value, repeated --server, and the rest of the options", () => {
    const o = parseCliArgs([
      "--server=[::1]:10547", "-s", "2001:db8::1", "--shared", "--psid-length", "6", "--prefer-shared", "--relay-hops", "2",
      "--link-address", "2001:db8:1::1", "--interface-id", "cpe-7", "--iaid=7", "--duid", "00:03:00:01:02:00:00:00:00:01",
      "--mac", "02-00-00-00-00-09", "--softwire-source", "2001:db8:2::c000:20a:5", "--hold", "--lease-file", "/tmp/l.json",
      "--json", "--ranges", "--nat", "iptables", "--nat-interface", "wan0", "--renew-after", "10", "--rebind-after", "20",
      "--wait", "0.5", "--attempts", "2", "-v", "--port", "0", "--bind", "::1",
    ]);
    expect(o.servers).toEqual([{ address: "::1", port: 10547 }, { address: "2001:db8::1", port: 547 }]);
    expect(o).toMatchObject({ shared: true, psidLength: 6, preferShared: true, relayHops: 2, linkAddress: "2001:db8:1::1", interfaceId: "cpe-7", iaid: 7, mode: "hold", json: true, ranges: true, nat: "iptables", natInterface: "wan0", renewAfter: 10, rebindAfter: 20, waitSeconds: 0.5, attempts: 2, verbose: true, port: 0, bind: "::1" });
    expect([...o.duid!]).toEqual([0, 3, 0, 1, 2, 0, 0, 0, 0, 1]);
    expect([...o.mac!]).toEqual([2, 0, 0, 0, 0, 9]);
    expect(o.softwireSource).toHaveLength(16);
  });

  it("--release alone with --lease-file releases the stored lease; with --once it releases after binding", () => {
    expect(parseCliArgs([...base, "--release", "--lease-file", "l.json"])).toMatchObject({ release: true, releaseOnly: true });
    expect(parseCliArgs([...base, "--once", "--release"])).toMatchObject({ release: true, releaseOnly: false, mode: "once" });
  });

  it.each([
    [[], "--server"],
    [["--server", "192.0.2.1"], "--server"],
    [["--server", "[fe80::1]:547"], "--server"],
    [["--server", "[2001:db8::1]:70000"], "--server"],
    [[...base, "--bogus"], "--bogus"],
    [[...base, "stray"], "stray"],
    [[...base, "--port"], "--port"],
    [[...base, "--port", "x"], "--port"],
    [[...base, "--once", "--hold"], "--hold"],
    [[...base, "--release"], "--release"],
    [[...base, "--psid-length", "4"], "--psid-length"],
    [[...base, "--shared", "--psid-length", "17"], "--psid-length"],
    [[...base, "--prefer-shared"], "--prefer-shared"],
    [[...base, "--relay-hops", "33"], "--relay-hops"],
    [[...base, "--link-address", "2001:db8::1"], "--link-address"],
    [[...base, "--relay-hops", "1", "--link-address", "nope"], "--link-address"],
    [[...base, "--interface-id", "x"], "--interface-id"],
    [[...base, "--iaid", "4294967296"], "--iaid"],
    [[...base, "--duid", "0003"], "--duid"],
    [[...base, "--duid", "zz"], "--duid"],
    [[...base, "--mac", "02:00:00"], "--mac"],
    [[...base, "--softwire-source", "::"], "--softwire-source"],
    [[...base, "--softwire-source", "192.0.2.1"], "--softwire-source"],
    [[...base, "--nat", "pf"], "--nat"],
    [[...base, "--nat-interface", "eth0"], "--nat-interface"],
    [[...base, "--hold", "--renew-after", "20", "--rebind-after", "10"], "--renew-after"],
    [[...base, "--renew-after", "20"], "--renew-after"],
    [[...base, "--wait", "0"], "--wait"],
    [[...base, "--attempts", "0"], "--attempts"],
    [[...base, "--json", "--json"], "--json"],
    [[...base, "--once=yes"], "--once"],
    [[...base, "--bind", "10.0.0.1"], "--bind"],
  ])("%j is refused, naming %s", (argv, option) => {
    const error = usage(argv as string[]);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
  });

  it("parses server endpoints", () => {
    expect(parseServer("[ff02::1:2%eth0]:547")).toEqual({ address: "ff02::1:2%eth0", port: 547 });
    expect(parseServer("[2001:db8::1]")).toEqual({ address: "2001:db8::1", port: 547 });
    expect(parseServer("[::1]:10547")).toEqual({ address: "::1", port: 10547 });
  });
});

describe("main", () => {
  const run = async (argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };

  it("--help prints usage and the exit codes, exit 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toBe(HELP);
    for (const code of ["0 ", "2 ", "3 ", "64 "]) expect(HELP).toContain(`\n  ${code}`);
  });

  it("bad input: exit 64 and a message that names the option", async () => {
    const r = await run(["--server", "nowhere"]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toBe('portshare-client: --server: "nowhere" is not an IPv6 address or [IPv6-address]:port (4o6 runs over IPv6, RFC 7341)\n');
  });

  it("a port it cannot bind: exit 1 with a hint", async () => {
    const r = await run(["--server", "[::1]:547", "--bind", "2001:db8:dead::1", "--port", "0", "--json"]);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toContain("cannot bind UDP [2001:db8:dead::1]:0");
    expect(JSON.parse(r.stdout)).toMatchObject({ event: "failed", reason: "socket", exitCode: 1 });
  });
});
