import { ipAllowed, ipRangeWithin, normalizeIp, normalizeIpRange } from "keyward";
import { describe, expect, it } from "vitest";

describe("IP addresses and ranges", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:db8:1:1:1:1:1:1", "2001:db8:1:1:1:1:1:1"],
    ["2001:db8::1:0", "2001:db8::1:0"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:c000:0201", "192.0.2.1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["fe80::1%eth0", "fe80::1"],
  ])("normalises the address %s to %s", (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-4",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    ":1:2:3:4:5:6:7",
    "12345::",
    "g::1",
    "::ffff:1.2.3",
    "1.2.3.4::",
    "localhost",
    " 1.2.3.4 x",
  ])("refuses %j as an address", (input) => {
    expect(normalizeIp(input)).toBeNull();
  });

  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["10.1.2.3/8", "10.0.0.0/8"],
    ["192.0.2.7/32", "192.0.2.7"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["2001:db8::1/128", "2001:db8::1"],
    ["::/0", "::/0"],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
  ])("normalises the range %s to %s", (input, expected) => {
    expect(normalizeIpRange(input)).toBe(expected);
  });

  it.each(["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "2001:db8::/129", "::ffff:10.0.0.0/95", "fe80::1%eth0", "10.0.0.0/8/8"])(
    "refuses %j as a range",
    (input) => {
      expect(normalizeIpRange(input)).toBeNull();
    },
  );

  it.each([
    [["10.0.0.0/8"], "10.200.3.4", true],
    [["10.0.0.0/8"], "11.0.0.1", false],
    [["10.0.0.0/8"], "::ffff:10.1.2.3", true],
    [["192.0.2.1"], "192.0.2.1", true],
    [["192.0.2.1"], "192.0.2.2", false],
    [["2001:db8::/32"], "2001:db8:ffff::1", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:db8::/32"], "10.0.0.1", false],
    [["0.0.0.0/0"], "::1", false],
    [["::/0"], "::1", true],
    [["fe80::/10"], "fe80::1%en0", true],
    [["10.0.0.0/8"], "not-an-ip", false],
  ] as const)("checks %j against %s: %s", (allowed, ip, expected) => {
    expect(ipAllowed(allowed, ip)).toBe(expected);
  });

  it("tells whether one range lies inside another", () => {
    expect(ipRangeWithin("10.1.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(ipRangeWithin("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(ipRangeWithin("10.0.0.0/8", "10.1.0.0/16")).toBe(false);
    expect(ipRangeWithin("2001:db8::/48", "2001:db8::/32")).toBe(true);
    expect(ipRangeWithin("10.0.0.0/8", "::/0")).toBe(false);
  });
});
