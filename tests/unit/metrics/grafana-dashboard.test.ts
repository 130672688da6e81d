// docs/grafana-dashboard.json queries only metrics this process really exposes (a renamed
// metric would otherwise leave an empty panel nobody notices), through its template variables.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { metrics } from "@/server/metrics/registry";

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../../docs/grafana-dashboard.json"), "utf8")) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string }[] };
};

describe("the Grafana dashboard", () => {
  it("queries only metrics the registry exposes", async () => {
    const m = metrics();
    // Histograms show their series once observed.
    m.exchangeSeconds.observe({ type: "DISCOVER" }, 0.001);
    m.commitSeconds.observe(0.001);
    m.commitBatchSize.observe(1);
    const exposed = new Set((await m.registry.getMetricsAsJSON()).map((metric) => metric.name));
    const series = (name: string) => exposed.has(name) || exposed.has(name.replace(/_(bucket|sum|count)$/, ""));
    const used = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/portshare_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !series(name))).toEqual([]);
  });

  it("scopes every query by the job and worker variables and the chosen data source", () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["datasource", "job", "instance"]);
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toMatch(/job=~"\$job", instance=~"\$instance"/);
    }
  });

  it("lays the panels out on the 24-column grid without overlaps", () => {
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});
