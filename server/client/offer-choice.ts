/**
 * Which DHCPOFFER the client takes (RFC 2131 §4.4.1 leaves the choice to the client):
 * RFC 7618 §5 — a full address is preferred over a shared one unless the client is told
 * otherwise; offers may be compared by port-set size [§6 item 3]; RFC 8539 §7.1 — a client
 * that asked for the BR (option 90) discards offers without a valid one.
 */
import { portsPerPsid } from "../psid";
import { portParams, serverIdentifier, type Dhcpv4Message, type PortParams } from "../wire";
import { softwireOptionsOf } from "./lease";
import type { ReceivedResponse, Endpoint } from "./transport";

export interface Offer {
  /** yiaddr. */
  address: number;
  /** Option 159; undefined when absent or with PSID length 0 (a full address, RFC 7618 §9). */
  portParams?: PortParams;
  /** Option 54 (0 when missing: such an offer is unusable). */
  serverId: number;
  /** Where the offer came from. */
  from: Endpoint;
  dhcpv4: Dhcpv4Message;
  /** RFC 8539 options of the DHCPV4-RESPONSE. */
  br?: string;
  bindPrefix?: string;
  /** Arrival order, 0 first. */
  order: number;
}

export interface OfferPolicy {
  /** Take a shared address over a full one (RFC 7618 §5's "unless configured otherwise"). */
  preferShared: boolean;
  /** Whether 159 was in the PRL. */
  askedShared: boolean;
  /** Whether the client asked for option 90 (RFC 8539 §7.1). */
  requireBr: boolean;
}

/** An Offer from a received DHCPOFFER. */
export function offerOf(response: ReceivedResponse, from: Endpoint, order: number): Offer {
  const params = portParams(response.dhcpv4);
  const softwire = softwireOptionsOf(response.options);
  return {
    address: response.dhcpv4.yiaddr,
    portParams: params && params.psidLength > 0 ? params : undefined,
    serverId: serverIdentifier(response.dhcpv4) ?? 0,
    from,
    dhcpv4: response.dhcpv4,
    ...softwire,
    order,
  };
}

export function isSharedOffer(offer: Offer): boolean {
  return offer.portParams !== undefined;
}

/** Why the client cannot take this offer, or null when it can. */
export function offerProblem(offer: Offer, policy: OfferPolicy): string | null {
  if (offer.address === 0) return "no address (yiaddr 0)";
  if (offer.serverId === 0) return "no server identifier (option 54), so it cannot be requested";
  // RFC 7618 §8.1: a client that did not ask MUST NOT be given a shared address.
  if (offer.portParams && !policy.askedShared) return "a port set (option 159) the client did not ask for (RFC 7618 §8.1)";
  if (policy.requireBr && offer.br === undefined) return "no valid OPTION_S46_BR (90) although requested (RFC 8539 §7.1)";
  return null;
}

/** Ports in the offer's port set (65536 for a full address). */
export function offeredPorts(offer: Offer): number {
  return offer.portParams ? portsPerPsid(offer.portParams) : 65536;
}

/**
 * Orders two usable offers, best first: by kind (full first, or shared first with
 * preferShared), then by port-set size (larger first), then by arrival.
 */
export function compareOffers(x: Offer, y: Offer, policy: OfferPolicy): number {
  const rank = (o: Offer) => (isSharedOffer(o) === policy.preferShared ? 0 : 1);
  return rank(x) - rank(y) || offeredPorts(y) - offeredPorts(x) || x.order - y.order;
}

/** The offer to request, or undefined when none is usable. */
export function chooseOffer(offers: readonly Offer[], policy: OfferPolicy): Offer | undefined {
  const usable = offers.filter((o) => offerProblem(o, policy) === null);
  usable.sort((x, y) => compareOffers(x, y, policy));
  return usable[0];
}

/**
 * Whether no later offer could beat this one, so the client can stop collecting: a full
 * address when full addresses are preferred (RFC 7618 §5). A shared offer could always be
 * outdone by one with more ports or by a full address.
 */
export function isUnbeatable(offer: Offer, policy: OfferPolicy): boolean {
  return !policy.preferShared && !isSharedOffer(offer);
}
