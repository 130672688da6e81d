// Client timers: RFC 2131 §4.1 retransmission backoff (4 s, 8 s … 64 s, ±1 s), §4.4.5 waits in
// RENEWING/REBINDING (half the remaining time, at least 60 s), T1/T2 defaults and overrides, and
// the manual clock the tests run on.
import { describe, expect, it } from "vitest";
import { extendRetransmitAt, retransmitDelay } from "@/server/client/backoff";
import { ManualClock, systemClock } from "@/server/client/clock";
import { leaseSchedule, leaseTimers, INFINITE_SECONDS } from "@/server/client/lease";
import { PSID5, SERVER, SERVER_ID, T0 } from "./helpers";

describe("retransmission backoff", () => {
  it("doubles from 4 s and stops at 64 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => retransmitDelay(n, 4000, () => 0.5))).toEqual([4000, 8000, 16000, 32000, 64000, 64000, 64000]);
  });

  it("is randomised by ±1 s (and by ±wait/4 for a shorter first wait)", () => {
    expect(retransmitDelay(0, 4000, () => 0)).toBe(3000);
    expect(retransmitDelay(0, 4000, () => 1)).toBe(5000);
    expect(retransmitDelay(0, 200, () => 0)).toBe(150);
    expect(retransmitDelay(2, 200, () => 1)).toBe(850);
  });
});

describe("RENEWING / REBINDING waits", () => {
  it("half the time left, not less than 60 s, nothing at or past the deadline", () => {
    expect(extendRetransmitAt(0, 1_000_000)).toBe(500_000);
    expect(extendRetransmitAt(0, 100_000)).toBe(60_000);
    expect(extendRetransmitAt(0, 60_000)).toBeUndefined();
    expect(extendRetransmitAt(0, Infinity)).toBe(60_000);
  });
});

describe("T1 and T2", () => {
  it("server values when consistent, else 0.5 / 0.875 of the lease; overrides win", () => {
    expect(leaseTimers(3600, 1000, 2000)).toEqual({ t1: 1000, t2: 2000 });
    expect(leaseTimers(3600, undefined, undefined)).toEqual({ t1: 1800, t2: 3150 });
    expect(leaseTimers(3600, 3000, 2000)).toEqual({ t1: 1800, t2: 2000 });
    expect(leaseTimers(3600, 1000, 4000)).toEqual({ t1: 1000, t2: 3150 });
    expect(leaseTimers(3600, 1000, 2000, { renewAfterSeconds: 5, rebindAfterSeconds: 9 })).toEqual({ t1: 5, t2: 9 });
    expect(leaseTimers(INFINITE_SECONDS, 1, 2)).toEqual({ t1: INFINITE_SECONDS, t2: INFINITE_SECONDS });
  });

  it("the schedule leaves out steps that would not come first", () => {
    const lease = { address: 1, portParams: PSID5, serverId: SERVER_ID, server: SERVER, leaseSeconds: 100, t1Seconds: 50, t2Seconds: 80, boundAt: T0 };
    expect(leaseSchedule(lease)).toEqual({ renewAt: T0 + 50_000, rebindAt: T0 + 80_000, expiresAt: T0 + 100_000 });
    expect(leaseSchedule({ ...lease, t1Seconds: 90 })).toEqual({ renewAt: undefined, rebindAt: T0 + 80_000, expiresAt: T0 + 100_000 });
    expect(leaseSchedule({ ...lease, t2Seconds: 100 })).toEqual({ renewAt: T0 + 50_000, rebindAt: undefined, expiresAt: T0 + 100_000 });
    expect(leaseSchedule({ ...lease, leaseSeconds: INFINITE_SECONDS })).toEqual({});
  });
});

describe("clocks", () => {
  it("the manual clock fires due timers in order, at their own time, including ones they set", () => {
    const clock = new ManualClock(1000);
    const fired: [string, number][] = [];
    clock.setTimer(300, () => fired.push(["b", clock.now()]));
    clock.setTimer(100, () => {
      fired.push(["a", clock.now()]);
      clock.setTimer(50, () => fired.push(["a2", clock.now()]));
    });
    const cancel = clock.setTimer(200, () => fired.push(["cancelled", clock.now()]));
    cancel();
    clock.advance(250);
    expect(fired).toEqual([["a", 1100], ["a2", 1150]]);
    expect(clock.now()).toBe(1250);
    expect(clock.pending()).toEqual([1300]);
    clock.advanceTo(2000);
    expect(fired.at(-1)).toEqual(["b", 1300]);
  });

  it("the system clock's timers fire and cancel", async () => {
    let fired = 0;
    systemClock.setTimer(1, () => fired++);
    const cancel = systemClock.setTimer(1, () => (fired += 10));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(1);
  });
});
