import { describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.js';

describe('the image URL address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ])('refuses %s (%s)', (address, range) => {
    expect(checkAddress(address)).toEqual({ allowed: false, range });
  });

  it('judges an IPv4-mapped IPv6 address as the IPv4 address it maps', () => {
    expect(checkAddress('::ffff:127.0.0.1')).toEqual({ allowed: false, range: 'loopback' });
    expect(checkAddress('::ffff:a9fe:a9fe')).toEqual({ allowed: false, range: 'linkLocal' });
    expect(checkAddress('::ffff:8.8.8.8')).toEqual({ allowed: true, range: 'unicast' });
  });

  it.each([
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['::a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:a9fe:a9fe::', 'linkLocal'],
  ])('judges %s by the IPv4 address inside it (%s)', (address, range) => {
    expect(checkAddress(address)).toEqual({ allowed: false, range });
  });

  it.each(['::8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('allows %s, whose IPv4 address inside is public', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true, range: 'unicast' });
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '2606:4700:4700::1111'])('allows the public address %s', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true, range: 'unicast' });
  });

  it('refuses what is not an address', () => {
    expect(checkAddress('localhost')).toEqual({ allowed: false, range: 'invalid' });
  });
});
