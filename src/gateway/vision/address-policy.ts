// Which network addresses an image URL may reach. Only public unicast addresses: anything
// private, loopback, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// multicast or reserved is refused, so the vision endpoint cannot be used to probe internal
// services. An IPv6 address that carries an IPv4 address inside it (IPv4-mapped, the
// deprecated IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) reaches that
// IPv4 address, so it is judged as that address; Teredo, whose embedded address is
// obfuscated, is refused outright.
import ipaddr from 'ipaddr.js';

export interface AddressVerdict {
  allowed: boolean;
  /** The ipaddr.js range name, e.g. `loopback`, `private`, `linkLocal`, `unicast`. */
  range: string;
}

export function checkAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  const parsed = ipaddr.parse(address);
  const judged = parsed.kind() === 'ipv6' ? (embeddedIpv4(parsed as ipaddr.IPv6) ?? parsed) : parsed;
  const range = judged.range();
  return { allowed: range === 'unicast', range };
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const bytes = address.toByteArray();
  const ipv4 = (at: number) => new ipaddr.IPv4(bytes.slice(at, at + 4));
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6052': // NAT64 64:ff9b::a.b.c.d
      return ipv4(12);
    case '6to4': // 2002:AABB:CCDD::/48
      return ipv4(2);
    default:
      // IPv4-compatible ::a.b.c.d (::/96 without :: and ::1, which have ranges of their own).
      return bytes.slice(0, 12).every((byte) => byte === 0) && !['unspecified', 'loopback'].includes(address.range()) ? ipv4(12) : null;
  }
}

/** A predicate over resolved addresses: the policy above, or everything when private URLs are allowed. */
export type AddressPolicy = (address: string) => AddressVerdict;

export const publicAddressesOnly: AddressPolicy = checkAddress;
export const anyAddress: AddressPolicy = (address) => ({ allowed: true, range: checkAddress(address).range });
