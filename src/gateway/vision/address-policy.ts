// Which network addresses an image URL may reach. Only public unicast addresses: anything
// private, loopback, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// multicast, reserved, or an IPv6 form that embeds an IPv4 address (mapped, 6to4, NAT64,
// Teredo) is refused, so the vision endpoint cannot be used to probe internal services.
import ipaddr from 'ipaddr.js';

export interface AddressVerdict {
  allowed: boolean;
  /** The ipaddr.js range name, e.g. `loopback`, `private`, `linkLocal`, `unicast`. */
  range: string;
}

export function checkAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  // `process` turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 it maps,
  // so it is judged as that address.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return { allowed: range === 'unicast', range };
}

/** A predicate over resolved addresses: the policy above, or everything when private URLs are allowed. */
export type AddressPolicy = (address: string) => AddressVerdict;

export const publicAddressesOnly: AddressPolicy = checkAddress;
export const anyAddress: AddressPolicy = (address) => ({ allowed: true, range: ipaddr.isValid(address) ? ipaddr.process(address).range() : 'invalid' });
