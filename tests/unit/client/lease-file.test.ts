// The stored lease and the INIT-REBOOT decision: INIT-REBOOT only with the same client
// identifier, the same IPv6 source (and softwire source) and an unexpired lease (RFC 7618 §7).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Lease } from "@/server/client/lease";
import { LeaseFileError, leaseOfStored, readLeaseFile, rebootDecision, removeLeaseFile, storedLeaseOf, validateStoredLease, writeLeaseFile, type ClientSituation } from "@/server/client/lease-file";
import { ip, PSID5, SERVER, SERVER_ID, T0 } from "./helpers";

const dir = mkdtempSync(path.join(tmpdir(), "lease-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lease: Lease = { address: ip("192.0.2.10"), portParams: PSID5, serverId: SERVER_ID, server: SERVER, leaseSeconds: 3600, t1Seconds: 1800, t2Seconds: 3150, boundAt: T0 };
const here: ClientSituation = { clientId: "ff00000001000300010200000001", sourceAddress: "2001:db8:1::10" };

describe("lease file", () => {
  it("round-trips through the file (mode 0600, atomic write)", () => {
    const file = path.join(dir, "a", "lease.json");
    writeLeaseFile(file, storedLeaseOf(lease, here));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readLeaseFile(file)!;
    expect(stored).toMatchObject({ version: 1, address: "192.0.2.10", portParams: PSID5, serverId: "192.0.2.254", sourceAddress: "2001:db8:1::10", expiresAt: new Date(T0 + 3600_000).toISOString() });
    expect(leaseOfStored(stored)).toEqual(lease);
    removeLeaseFile(file);
    expect(existsSync(file)).toBe(false);
    expect(readLeaseFile(file)).toBeUndefined();
  });

  it("reports a malformed file by name", () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(file, "{not json");
    expect(() => readLeaseFile(file)).toThrow(LeaseFileError);
    writeFileSync(file, JSON.stringify({ ...storedLeaseOf(lease, here), address: "300.1.1.1" }));
    expect(() => readLeaseFile(file)).toThrow(/address is not an IPv4 address/);
    expect(validateStoredLease({ ...storedLeaseOf(lease, here), portParams: { offset: 6, psidLength: 4, psid: 16 } })).toBe("portParams out of range");
    expect(readFileSync(file, "utf8")).toContain("300.1.1.1");
  });
});

describe("INIT-REBOOT or DISCOVER", () => {
  const stored = storedLeaseOf(lease, here);
  const slot = { address: ip("192.0.2.10"), portParams: PSID5 };

  it("INIT-REBOOT when identifier and IPv6 source are unchanged and the lease is alive", () => {
    expect(rebootDecision(stored, here, T0 + 1000)).toMatchObject({ kind: "init-reboot", slot });
  });

  it("DISCOVER (with the old binding as a hint) when the IPv6 source changed", () => {
    const d = rebootDecision(stored, { ...here, sourceAddress: "2001:db8:1::11" }, T0 + 1000);
    expect(d).toMatchObject({ kind: "discover", hint: slot });
    expect(d.reason).toContain("IPv6 source changed from 2001:db8:1::10 to 2001:db8:1::11");
  });

  it("DISCOVER when the softwire source changed, appeared or went away", () => {
    const withSw = storedLeaseOf(lease, { ...here, softwireSource: "2001:db8:2::1" });
    expect(rebootDecision(withSw, { ...here, softwireSource: "2001:db8:2::1" }, T0).kind).toBe("init-reboot");
    expect(rebootDecision(withSw, { ...here, softwireSource: "2001:db8:2::2" }, T0).kind).toBe("discover");
    expect(rebootDecision(withSw, here, T0).kind).toBe("discover");
    expect(rebootDecision(stored, { ...here, softwireSource: "2001:db8:2::1" }, T0).kind).toBe("discover");
  });

  it("DISCOVER without a hint for another client identifier; with one for an expired lease; plain without a file", () => {
    expect(rebootDecision(stored, { ...here, clientId: "ff00000002" }, T0)).toEqual({ kind: "discover", reason: "the stored lease belongs to another client identifier" });
    expect(rebootDecision(stored, here, T0 + 3600_000)).toMatchObject({ kind: "discover", hint: slot });
    expect(rebootDecision(undefined, here, T0)).toEqual({ kind: "discover", reason: "no stored lease" });
  });

  it("an infinite lease never expires", () => {
    const forever = storedLeaseOf({ ...lease, leaseSeconds: 0xffffffff }, here);
    expect(forever.expiresAt).toBeNull();
    expect(rebootDecision(forever, here, T0 + 10 * 365 * 86400_000).kind).toBe("init-reboot");
  });
});
