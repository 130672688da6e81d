import { createServer, type Server } from "node:http";
import { checkHealth } from "../api/health";
import { prometheusExposition } from "../api/metrics";

/**
 * For a worker without the console (`npm run dhcp`): /metrics, /health and /ready on
 * METRICS_HOST:METRICS_PORT, the same answers the console gives under /api/.
 */
export async function startMetricsListener(host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { "content-type": contentType });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, "text/plain", "GET only\n");
    if (path === "/metrics") {
      void prometheusExposition(req.headers.authorization ?? null).then((r) => send(r.status, r.contentType, r.body));
    } else if (path === "/health" || path === "/ready") {
      void checkHealth().then((h) => send(path === "/ready" && !h.ok ? 503 : 200, "application/json", JSON.stringify(path === "/health" ? { ...h, live: true } : h)));
    } else {
      send(404, "text/plain", "try /metrics, /health or /ready\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot serve metrics on ${host}:${port}: ${error.code === "EADDRINUSE" ? "the port is in use; set METRICS_PORT" : error.message}`)),
    );
    server.listen(port, host, resolve);
  });
  return server;
}
