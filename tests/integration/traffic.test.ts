import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { startTrafficFlush } from "@/server/main/traffic-flush";
import { traffic } from "@/server/metrics/traffic";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";

const backends = await testBackends();

describe.each(backends)("dashboard traffic per minute on %s", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t.drop());

  it("adds up what every worker flushed, minute by minute, with empty minutes as zeros", async () => {
    const now = Date.now();
    const thisMinute = Math.floor(now / 60_000) * 60_000;
    traffic().drain();
    for (const kind of ["offers", "offers", "acks", "naks", "drops"] as const) traffic().count(kind, now);
    traffic().count("acks", thisMinute - 120_000);
    const warn = (m: string) => {
      throw new Error(m);
    };
    await startTrafficFlush(t.db, "worker-a", { warn })();
    traffic().count("acks", now);
    await startTrafficFlush(t.db, "worker-b", { warn })();
    // A second flush of the same worker and minute adds to its row.
    traffic().count("acks", now);
    await startTrafficFlush(t.db, "worker-a", { warn })();

    const caller = createCaller({ db: t.db, operator: { id: 1, username: "v", role: "VIEWER" }, sessionToken: undefined, secure: false });
    const series = await caller.dashboard.traffic({ minutes: 10 });
    expect(series).toHaveLength(10);
    expect(series.at(-1)).toMatchObject({ minute: new Date(thisMinute), offers: 2, acks: 3, naks: 1, drops: 1 });
    expect(series.at(-3)).toMatchObject({ acks: 1, offers: 0 });
    expect(series.at(-2)).toMatchObject({ offers: 0, acks: 0, naks: 0, drops: 0 });
  });
});
