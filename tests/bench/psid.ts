// Benchmark of server/psid (pure port-set math). Prints one console.table.
// Run: npx tsx -e "import('./tests/bench/psid.ts').then(m=>m.runPsidBench())"
import {
  forEachPortRange,
  isUsablePsid,
  portRangeAt,
  portRanges,
  portSetContains,
  psidOfPort,
  usablePsids,
  type PsidLayout,
  type ReservedPortRange,
} from "../../server/psid";

interface Row {
  case: string;
  operations: number;
  "ops/s": string;
  "µs/op": string;
}

/** Runs `body` until at least `minMs` have passed (after a warm-up) and reports the rate. */
function measure(name: string, opsPerCall: number, body: () => void, minMs = 400): Row {
  for (let i = 0; i < 50; i++) body(); // let the JIT settle
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const minNs = BigInt(minMs) * 1_000_000n;
  while (elapsedNs < minNs) {
    for (let i = 0; i < 20; i++) body();
    calls += 20;
    elapsedNs = process.hrtime.bigint() - start;
  }
  const operations = calls * opsPerCall;
  const seconds = Number(elapsedNs) / 1e9;
  return {
    case: name,
    operations,
    "ops/s": Math.round(operations / seconds).toLocaleString("en-US"),
    "µs/op": ((seconds * 1e6) / operations).toFixed(3),
  };
}

// Results flow into this sink so the optimiser cannot drop the work.
let sink = 0;

export async function runPsidBench(): Promise<void> {
  const rows: Row[] = [];
  const layout: PsidLayout = { offset: 6, psidLength: 8 }; // RFC 7597 App. A: a = 6, k = 8
  const psids = 2 ** layout.psidLength;

  // Port-set enumeration, k = 8, a = 6: 256 sets of 63 ranges each per call.
  rows.push(
    measure("port set enumeration a=6 k=8, portRanges() (array of 63 ranges)", psids, () => {
      for (let psid = 0; psid < psids; psid++) sink += portRanges({ ...layout, psid }).length;
    }),
  );
  rows.push(
    measure("port set enumeration a=6 k=8, forEachPortRange() (no allocation)", psids, () => {
      for (let psid = 0; psid < psids; psid++) {
        forEachPortRange({ ...layout, psid }, (first, last) => {
          sink += last - first;
        });
      }
    }),
  );
  rows.push(
    measure("first + last range a=6 k=8, portRangeAt() x2", psids, () => {
      for (let psid = 0; psid < psids; psid++) {
        const params = { ...layout, psid };
        sink += portRangeAt(params, 0).first + portRangeAt(params, 62).last;
      }
    }),
  );

  // Membership tests: every port against one PSID.
  const member = { ...layout, psid: 0x34 };
  rows.push(
    measure("membership portSetContains() a=6 k=8, all 65536 ports", 65536, () => {
      for (let port = 0; port < 65536; port++) if (portSetContains(member, port)) sink++;
    }),
  );
  rows.push(
    measure("psidOfPort() a=6 k=8, all 65536 ports", 65536, () => {
      for (let port = 0; port < 65536; port++) sink += psidOfPort(layout, port) ?? 0;
    }),
  );

  // Usable-PSID computation per layout.
  const reserved: ReservedPortRange[] = [
    { first: 5060, last: 5061, label: "SIP" },
    { first: 8080, last: 8080, label: "proxy" },
    { first: 30000, last: 30999, label: "media" },
  ];
  for (const usableLayout of [
    { offset: 6, psidLength: 8 },
    { offset: 0, psidLength: 6 },
    { offset: 0, psidLength: 16 },
    { offset: 4, psidLength: 12 },
  ]) {
    rows.push(
      measure(`usablePsids() a=${usableLayout.offset} k=${usableLayout.psidLength}, well-known + 3 reserved`, 1, () => {
        sink += usablePsids(usableLayout, { reservedPorts: reserved }).usableCount;
      }),
    );
  }
  const usable = usablePsids(layout, { reservedPorts: reserved });
  rows.push(
    measure("isUsablePsid() a=6 k=8, all 256 PSIDs", psids, () => {
      for (let psid = 0; psid < psids; psid++) if (isUsablePsid(usable, psid)) sink++;
    }),
  );

  console.log("server/psid benchmark (node %s, %s)", process.version, process.arch);
  console.table(rows);
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
}
