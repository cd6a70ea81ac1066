import { describe, expect, it } from 'vitest';
import { addressKey } from '../src/http/client-address.ts';

describe('addressKey: what a per-address limit counts against', () => {
  it('keeps an IPv4 address, an IPv4-mapped one as the same IPv4 address', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts an IPv6 address by its /56, however it is written', () => {
    const block = '2001:db8:0:100::/56';
    for (const a of ['2001:db8:0:100::1', '2001:db8:0:1ff:ffff:ffff:ffff:ffff', '2001:0db8:0000:0142:0:0:0:9', '2001:db8:0:1ab::192.0.2.1', '2001:db8:0:100::1%eth0'])
      expect(addressKey(a), a).toBe(block);
    expect(addressKey('2001:db8:0:200::1')).toBe('2001:db8:0:200::/56');
    expect(addressKey('2001:db8:1:100::1')).toBe('2001:db8:1:100::/56');
    expect(addressKey('::1')).toBe('0:0:0:0::/56');
  });

  it('leaves what is not an address as it is', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});
