import type { Database } from "../db";
import { createDhcp4o6Handler } from "../dhcp4o6/handler";
import { DhcpWorker } from "../udp/worker";
import type { Logger } from "./logger";
import type { Settings } from "./settings";

/** Binds the 4o6 socket with the protocol handler; throws a one-line error naming the setting on failure. */
export async function startWorker(settings: Settings, db: Database, log: Logger): Promise<DhcpWorker> {
  const handler = createDhcp4o6Handler({ db, log });
  const worker = new DhcpWorker({ port: settings.DHCP_PORT, address: settings.DHCP_ADDRESS, handler, log });
  const bound = await worker.start();
  console.log(`Portshare 4o6 server: udp [${bound.address}]:${bound.port}`);
  return worker;
}
