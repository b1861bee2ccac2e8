import { ConfigError } from "keyward";
import { clientAddress, headersFromRaw, trustedProxies } from "keyward/http";
import { describe, expect, it } from "vitest";

const reader = (...raw: string[]) => headersFromRaw(raw).values;

describe("the client address (trustProxy)", () => {
  it("is the socket's peer when no proxy is trusted, whatever the forwarding headers say", () => {
    const spoofed = reader("X-Forwarded-For", "192.0.2.7", "Forwarded", "for=192.0.2.8");
    expect(clientAddress("::ffff:127.0.0.1", spoofed, null)).toBe("::ffff:127.0.0.1");
    expect(clientAddress("::ffff:127.0.0.1", spoofed, { hops: 0 } as never)).toBe("127.0.0.1");
    expect(clientAddress("10.0.0.5", spoofed, trustedProxies(undefined, "test"))).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", spoofed, trustedProxies(0, "test"))).toBe("10.0.0.5");
    expect(clientAddress(undefined, spoofed, { hops: 1 })).toBeUndefined();
  });

  it("with a hop count, takes the address that many trusted hops back, never one further left", () => {
    const header = reader("X-Forwarded-For", "6.6.6.6, 192.0.2.7", "X-Forwarded-For", "10.0.0.9");
    expect(clientAddress("10.0.0.5", header, { hops: 1 })).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.5", header, { hops: 2 })).toBe("192.0.2.7");
    expect(clientAddress("10.0.0.5", header, { hops: 3 })).toBe("6.6.6.6");
    expect(clientAddress("10.0.0.5", header, { hops: 9 })).toBe("6.6.6.6");
  });

  it("with CIDR ranges, skips trusted proxies from the right and stops at the first other address", () => {
    const trust = trustedProxies(["10.0.0.0/8", "fd00::/8"], "test");
    expect(clientAddress("10.0.0.5", reader("X-Forwarded-For", "6.6.6.6, 192.0.2.7, 10.1.1.1"), trust)).toBe("192.0.2.7");
    expect(clientAddress("192.0.2.50", reader("X-Forwarded-For", "6.6.6.6"), trust)).toBe("192.0.2.50");
    expect(clientAddress("fd00::1", reader("Forwarded", 'for="[2001:db8::5]:443";proto=https'), trust)).toBe("2001:db8::5");
  });

  it("reads Forwarded before X-Forwarded-For, and gives no address for an entry that is not one", () => {
    const both = reader("Forwarded", "for=192.0.2.1:8080", "X-Forwarded-For", "192.0.2.2");
    expect(clientAddress("10.0.0.5", both, { hops: 1 })).toBe("192.0.2.1");
    expect(clientAddress("10.0.0.5", reader("Forwarded", "for=unknown"), { hops: 1 })).toBeUndefined();
    expect(clientAddress("10.0.0.5", reader("X-Forwarded-For", "not-an-ip"), { hops: 1 })).toBeUndefined();
  });

  it("refuses a bad trustProxy at configuration time", () => {
    for (const bad of [-1, 1.5, [], ["10.0.0.0/33"], ["proxy.local"]] as const) {
      expect(() => trustedProxies(bad as never, "apiKeyAuth")).toThrow(ConfigError);
    }
  });
});
