/**
 * examples/dashboard end to end: the real server as a child process, driven
 * in headless Chromium through create (with an expiry) → copy → use → rename
 * → rotate with a grace period → disable/enable → revoke, and a rotation
 * without grace into the Expired tab, with the keys checked against the
 * protected API after each step; then the same page on a 390 px phone.
 * Saves screenshots for the docs at desktop and phone widths. Needs Debian's
 * `chromium` (or CHROMIUM_PATH); skips without it unless
 * KEYWARD_REQUIRE_SERVICES is set.
 */

import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEY_PATTERN } from "keyward";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type RunningExample, servicesRequired, startExample } from "../support/examples.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
// screenshots refresh the docs' images only when asked (UPDATE_SCREENSHOTS=1); otherwise they go to a temp dir
const IMAGES = process.env.UPDATE_SCREENSHOTS ? join(ROOT, "docs", "images") : join(tmpdir(), "keyward-dashboard-screens");

if (!hasChromium) {
  const why = `no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (servicesRequired()) throw new Error(`[examples/dashboard] KEYWARD_REQUIRE_SERVICES is set but there is ${why}`);
  console.log(`[examples/dashboard] skipping the browser test: ${why}`);
}

/** Flags for a closed network: without them Chromium tries to reach Google and stalls. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(!hasChromium)("examples/dashboard in a browser", () => {
  let server: RunningExample;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startExample("examples/dashboard/server.ts");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-GB", timezoneId: "UTC" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    page = await context.newPage();
    mkdirSync(IMAGES, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const useKey = (key: string, method = "GET") =>
    fetch(`${server.url}/v1/jobs`, { method, headers: { authorization: `Bearer ${key}` } });

  const rowOf = (name: string): Locator => page.locator("#keys-body tr", { has: page.getByRole("rowheader", { name }) });
  /** The row of one key, by its name and the masked prefix of its raw key (a rotated key shares its name). */
  const rowOfKey = (name: string, rawKey: string): Locator => rowOf(name).filter({ hasText: rawKey.slice(0, 12) });

  /** Where on the page the raw key appears: it must be the reveal field only. */
  const placesHolding = (key: string) =>
    page.evaluate((k) => {
      const hits: string[] = [];
      for (const el of Array.from(document.querySelectorAll("*"))) {
        const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes(k));
        if (own || ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && el.value.includes(k))) {
          hits.push(el.id || el.tagName);
        }
        if (Array.from(el.attributes).some((a) => a.value.includes(k))) hits.push(`${el.id || el.tagName}[attr]`);
      }
      return hits;
    }, key);

  /** Creates a key on the page with `expiry` ("never", "30", …) and returns its raw key from the reveal panel, dismissed. */
  async function createKey(name: string, role: string, expiry = "never"): Promise<string> {
    await page.locator("#create-form").getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Role", { exact: true }).selectOption(role);
    await page.getByLabel("Expires", { exact: true }).selectOption(expiry);
    await page.getByRole("button", { name: "Create key" }).click();
    await page.locator("#reveal").waitFor({ state: "visible" });
    const rawKey = await page.locator("#reveal-key").inputValue();
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await page.locator("#reveal").waitFor({ state: "hidden" });
    return rawKey;
  }

  async function rotate(name: string, rawKey: string, grace: string): Promise<string> {
    await rowOfKey(name, rawKey)
      .getByRole("button", { name: `Rotate “${name}”` })
      .click();
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await dialog.waitFor({ state: "visible" });
    await dialog.getByLabel("Keep the old key working for").selectOption(grace);
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator("#reveal").waitFor({ state: "visible" });
    return page.locator("#reveal-key").inputValue();
  }

  const name = "Nightly export (e2e)";
  const renamed = "Nightly export to the data warehouse (e2e)";
  let rawKey = "";
  let rotatedKey = "";

  it("creates a key with an expiry, reveals it once, copies and uses it", { timeout: 120_000 }, async () => {
    // Sign in (the demo session cookie) and wait for the page to load roles and keys.
    await page.goto(server.url);
    await expect.poll(() => page.locator("body").getAttribute("data-ready"), { timeout: 15_000 }).toBe("true");
    await expect.poll(() => page.locator("#who").textContent()).toContain("Ada Lovelace");

    // The role picker offers exactly GET /roles: an admin cannot grant `owner`.
    const roles = (await (await context.request.get(`${server.url}/settings/api-keys/roles`)).json()) as string[];
    expect(roles).toContain("viewer");
    expect(roles).not.toContain("owner");
    const offered = await page
      .locator("#key-role option")
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(offered).toEqual(roles);

    // A nameless key is refused on the page, before any request.
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.locator("#key-name").getAttribute("aria-invalid")).toBe("true");

    // An expiry date in the past is refused by the server (422), and shown on the date field.
    await page.locator("#create-form").getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByLabel("Expires", { exact: true }).selectOption("custom");
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Expiry date").fill(yesterday);
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.locator("#key-expiry-date").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#key-expiry-error").textContent()).toBe("Expiry date must be in the future.");
    expect(await page.locator("#reveal").isVisible()).toBe(false);

    // Create: a specific name, a role from the dropdown, and an expiry in 30 days.
    await page.getByLabel("Expires", { exact: true }).selectOption("30");
    await page.getByRole("button", { name: "Create key" }).click();

    // Shown once, with the warning.
    const reveal = page.locator("#reveal");
    await reveal.waitFor({ state: "visible" });
    expect(await reveal.textContent()).toContain("You will not see it again");
    rawKey = await page.locator("#reveal-key").inputValue();
    expect(rawKey).toMatch(new RegExp(`^${KEY_PATTERN.source}$`));
    expect(rawKey.startsWith("cho_")).toBe(true);

    // The raw key is in the reveal field and nowhere else on the page.
    expect(await placesHolding(rawKey)).toEqual(["reveal-key"]);

    // The new row shows the masked prefix, role, creator, "Never" used, and when it expires (in 30 days).
    const row = rowOf(name);
    await row.waitFor();
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).not.toContain(rawKey);
    expect(rowText).toContain(rawKey.slice(0, 12));
    expect(rowText).toContain("viewer");
    expect(rowText).toContain("jobs:read");
    expect(rowText).toContain("Ada Lovelace");
    expect(await row.locator(".last-used").textContent()).toBe("Never");
    const expires = new Date(Date.now() + 30 * 86_400_000).toLocaleDateString("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    });
    expect(await row.locator(".status-detail").textContent()).toContain(`Expires ${expires}`);
    const expiresAt = await row.locator(".status-detail time").getAttribute("datetime");
    expect(Date.parse(expiresAt ?? "") - Date.now()).toBeGreaterThan(29 * 86_400_000);

    // Copy: the button reports success and the clipboard holds the key.
    await page.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => page.locator("#copy-button").getAttribute("data-state")).toBe("copied");
    expect(await page.locator("#copy-status").textContent()).toContain("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rawKey);

    await page
      .locator("#reveal")
      .screenshot({ path: join(IMAGES, "dashboard-new-key.png"), mask: [page.locator("#reveal-key")], maskColor: "#1d2330" });

    // Use the key against the protected API: jobs:read yes, jobs:write no.
    const ok = await useKey(rawKey);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const write = await useKey(rawKey, "POST");
    expect(write.status).toBe(403);
    expect(write.headers.get("www-authenticate")).toContain('error="insufficient_scope"');

    // Dismissing the panel forgets the key.
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await reveal.waitFor({ state: "hidden" });
    expect(await page.locator("#reveal-key").inputValue()).toBe("");

    // "Last used" moves once the use is recorded.
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return rowOf(name).locator(".last-used").textContent();
        },
        { timeout: 10_000, interval: 300 },
      )
      .not.toBe("Never");
    await page.screenshot({ path: join(IMAGES, "dashboard.png"), fullPage: true });
  });

  it("renames a key, showing the server's 422 on the name field", { timeout: 60_000 }, async () => {
    const rename = page.getByRole("dialog", { name: "Rename key" });
    await rowOf(name)
      .getByRole("button", { name: `Rename “${name}”` })
      .click();
    await rename.waitFor({ state: "visible" });
    expect(await rename.getByLabel("Name").inputValue()).toBe(name);

    // A blank name goes to the server, which answers 422: the message sits on the field, the dialog stays open.
    await rename.getByLabel("Name").fill("   ");
    await rename.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => page.locator("#rename-input").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#rename-error").textContent()).toBe("Name must not be blank.");
    expect(await rename.isVisible()).toBe(true);

    await rename.getByLabel("Name").fill(renamed);
    await rename.getByRole("button", { name: "Save name" }).click();
    await rename.waitFor({ state: "hidden" });
    await rowOf(renamed).waitFor();
    expect(await rowOf(name).count()).toBe(0);
    expect(await page.locator("#notice").textContent()).toBe(`Renamed to “${renamed}”.`);
    expect((await useKey(rawKey)).status).toBe(200);
  });

  it("rotates with a grace period: the new key shown once, the old one working until revoked", { timeout: 60_000 }, async () => {
    const name = renamed;
    const oldKey = rawKey;
    await rowOf(name)
      .getByRole("button", { name: `Rotate “${name}”` })
      .click();
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await dialog.waitFor({ state: "visible" });
    expect(await dialog.textContent()).toContain(name);
    await dialog.getByLabel("Keep the old key working for").selectOption({ label: "1 hour" });
    await page.screenshot({ path: join(IMAGES, "dashboard-rotate.png") });
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await dialog.waitFor({ state: "hidden" });

    // The new key, once, in the reveal panel.
    await page.locator("#reveal").waitFor({ state: "visible" });
    expect(await page.locator("#reveal-title").textContent()).toBe("Copy the new key now");
    rotatedKey = await page.locator("#reveal-key").inputValue();
    expect(rotatedKey).toMatch(new RegExp(`^${KEY_PATTERN.source}$`));
    expect(rotatedKey).not.toBe(oldKey);
    expect(await placesHolding(rotatedKey)).toEqual(["reveal-key"]);
    expect(await placesHolding(oldKey)).toEqual([]);
    expect(await page.locator("#notice").textContent()).toContain("The old key keeps working until");

    // Both keys work during the grace period; the old one says when it stops.
    expect((await useKey(oldKey)).status).toBe(200);
    expect((await useKey(rotatedKey)).status).toBe(200);
    const oldRow = rowOfKey(name, oldKey);
    await oldRow.waitFor();
    expect(await oldRow.locator(".status").textContent()).toBe("active");
    expect(await oldRow.locator(".status-detail").textContent()).toMatch(/^Rotated: expires at /);
    const until = Date.parse((await oldRow.locator(".status-detail time").getAttribute("datetime")) ?? "");
    expect(until - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(await oldRow.getByRole("button", { name: `Rotate “${name}”` }).count()).toBe(0);
    expect(await rowOfKey(name, rotatedKey).locator(".status-detail").count()).toBe(1); // keeps the 30-day expiry

    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await page.locator("#reveal").waitFor({ state: "hidden" });
    expect(await page.locator("#reveal-key").inputValue()).toBe("");

    // Revoking the old key ends its grace period at once; the new key is untouched.
    await oldRow.getByRole("button", { name: `Revoke “${name}”` }).click();
    const revokeDialog = page.getByRole("dialog", { name: "Revoke this key?" });
    await revokeDialog.waitFor({ state: "visible" });
    await revokeDialog.getByRole("button", { name: "Revoke key" }).click();
    await oldRow.waitFor({ state: "detached" });
    expect((await useKey(oldKey)).status).toBe(401);
    expect((await useKey(rotatedKey)).status).toBe(200);
  });

  it("disables, enables and revokes the rotated key; the Revoked tab says when and by whom", { timeout: 60_000 }, async () => {
    const name = renamed;
    const rawKey = rotatedKey;

    // Disable: the key leaves the Active tab, shows under Disabled, and is refused.
    await rowOf(name)
      .getByRole("button", { name: `Disable “${name}”` })
      .click();
    await rowOf(name).waitFor({ state: "detached" });
    expect((await useKey(rawKey)).status).toBe(401);
    await page.getByRole("tab", { name: "Disabled" }).click();
    await rowOf(name).waitFor();
    expect(await rowOf(name).locator(".status").textContent()).toBe("disabled");

    // Enable it from the Disabled tab: it works again.
    await rowOf(name)
      .getByRole("button", { name: `Enable “${name}”` })
      .click();
    await rowOf(name).waitFor({ state: "detached" });
    expect((await useKey(rawKey)).status).toBe(200);
    await page.getByRole("tab", { name: "Active" }).click();
    await rowOf(name).waitFor();

    // Revoke sits behind a confirmation dialog; Cancel changes nothing.
    const dialog = page.getByRole("dialog", { name: "Revoke this key?" });
    await rowOf(name)
      .getByRole("button", { name: `Revoke “${name}”` })
      .click();
    await dialog.waitFor({ state: "visible" });
    expect(await dialog.textContent()).toContain(name);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await useKey(rawKey)).status).toBe(200);

    await rowOf(name)
      .getByRole("button", { name: `Revoke “${name}”` })
      .click();
    await dialog.waitFor({ state: "visible" });
    await page.screenshot({ path: join(IMAGES, "dashboard-revoke.png") });
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await rowOf(name).waitFor({ state: "detached" });

    // The key is refused, with the generic 401 and an RFC 6750 challenge.
    const refused = await useKey(rawKey);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer realm="api", error="invalid_token"/);
    expect(await refused.text()).not.toContain(rawKey);

    // It is listed as revoked, when and by whom, with no action left to take.
    await page.getByRole("tab", { name: "Revoked" }).click();
    const revoked = rowOfKey(name, rawKey);
    await revoked.waitFor();
    expect(await revoked.locator(".status").textContent()).toBe("revoked");
    expect(await revoked.locator(".status-detail").textContent()).toMatch(/^on .+ by Ada Lovelace$/);
    expect(await revoked.locator(".status-detail time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await revoked.getByRole("button").count()).toBe(0);
    // the old key of the rotation, revoked during its grace period, is there too
    expect(await rowOf(name).count()).toBe(2);
    // the demo's seeded key, revoked by Grace
    expect(await rowOf("Old deploy script").locator(".status-detail").textContent()).toContain("by Grace Hopper");
    await page.screenshot({ path: join(IMAGES, "dashboard-revoked.png"), fullPage: true });
  });

  it("rotates without grace: the old key is refused at once and listed under Expired", { timeout: 60_000 }, async () => {
    await page.getByRole("tab", { name: "Active" }).click();
    const name = "Partner sandbox (e2e)";
    const oldKey = await createKey(name, "viewer");
    expect((await useKey(oldKey)).status).toBe(200);
    const newKey = await rotate(name, oldKey, "0");
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    expect(await page.locator("#notice").textContent()).toContain("The old key stopped working; it is in the Expired tab.");

    expect((await useKey(oldKey)).status).toBe(401);
    expect((await useKey(newKey)).status).toBe(200);
    await rowOfKey(name, oldKey).waitFor({ state: "detached" });
    await rowOfKey(name, newKey).waitFor();

    await page.getByRole("tab", { name: "Expired" }).click();
    const expired = rowOfKey(name, oldKey);
    await expired.waitFor();
    expect(await expired.locator(".status").textContent()).toBe("expired");
    expect(await expired.locator(".status-detail").textContent()).toMatch(/^on .+, replaced by a rotation$/);
    expect(await expired.getByRole("button").count()).toBe(0);
    expect(await rowOfKey(name, newKey).count()).toBe(0);
    // the demo's seeded rotation without grace
    expect(await rowOf("Data warehouse loader").count()).toBe(1);
  });

  it("fits a 390 px phone: cards instead of a table, long names wrapped, no sideways scroll", { timeout: 60_000 }, async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      locale: "en-GB",
      timezoneId: "UTC",
    });
    try {
      const p = await phone.newPage();
      await p.goto(server.url);
      await expect.poll(() => p.locator("body").getAttribute("data-ready"), { timeout: 15_000 }).toBe("true");
      const fits = () => p.evaluate(() => document.documentElement.scrollWidth);

      // a name with no place to break, the worst case for a narrow screen
      const long = `Warehouse-sync-${"x".repeat(90)}-e2e`;
      await p.locator("#create-form").getByLabel("Name", { exact: true }).fill(long);
      await p.getByLabel("Role", { exact: true }).selectOption("viewer");
      await p.getByLabel("Expires", { exact: true }).selectOption("90");
      await p.getByRole("button", { name: "Create key" }).click();
      await p.locator("#reveal").waitFor({ state: "visible" });
      expect(await fits()).toBeLessThanOrEqual(390);
      await p.getByRole("button", { name: "Done, I have stored it" }).click();

      const card = p.locator("#keys-body tr", { has: p.getByRole("rowheader", { name: long }) });
      await card.waitFor();
      expect(await fits()).toBeLessThanOrEqual(390);
      // each value is labelled by its column, and the card is no wider than the screen
      expect(await card.locator("td.last-used").evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"Last used"');
      const box = await card.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
      await p.evaluate(() => document.getElementById("keys-title")?.scrollIntoView());
      await p.screenshot({ path: join(IMAGES, "dashboard-phone.png") });

      for (const tab of ["Disabled", "Expired", "Revoked"]) {
        await p.getByRole("tab", { name: tab }).click();
        await expect.poll(() => p.locator("#keys-caption").textContent()).toBe(`${tab} keys`);
        await p.locator("#keys-body tr").first().waitFor();
        expect(await fits()).toBeLessThanOrEqual(390);
      }
      await p.evaluate(() => document.getElementById("keys-title")?.scrollIntoView());
      await p.screenshot({ path: join(IMAGES, "dashboard-phone-revoked.png") });

      // dialogs fit too
      await p.getByRole("tab", { name: "Active" }).click();
      await card.getByRole("button", { name: /^Rotate/ }).click();
      await p.getByRole("dialog", { name: "Rotate this key?" }).waitFor({ state: "visible" });
      expect(await fits()).toBeLessThanOrEqual(390);
      const dialogBox = await p.getByRole("dialog", { name: "Rotate this key?" }).boundingBox();
      expect((dialogBox?.x ?? 0) + (dialogBox?.width ?? 0)).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  });

  it("shows usage control only when the key has it, and offers Restrict IPs only when the server supports it", async () => {
    // the line the page builds from SPEC §8's fields, through the page's own module
    // (a string, so the test runner leaves the page's dynamic import alone)
    const parts = await page.evaluate(`(async () => {
      const { usageParts } = await import("/format.js");
      return [
        usageParts({ remaining: 1200, ratelimit: { limit: 100, window: 60000 }, allowedIps: ["203.0.113.0/24", "2001:db8::1"] }),
        usageParts({ remaining: null, ratelimit: null, allowedIps: null }),
        usageParts({}),
      ];
    })()`);
    expect(parts).toEqual([["Credits: 1,200 left", "Limit: 100 / 1 min", "IPs: 203.0.113.0/24, 2001:db8::1"], [], []]);

    const session = (await (await context.request.get(`${server.url}/session`)).json()) as { features: { usage: boolean } };
    await page.getByRole("tab", { name: "Active" }).click();
    await page.locator("#keys-body tr").first().waitFor();
    const restrict = page.getByRole("button", { name: /^Restrict IPs/ });
    if (session.features.usage) {
      // the server's metered key shows its credits, limit and allowlist, and an admin may narrow the allowlist
      await expect.poll(() => restrict.count()).toBeGreaterThan(0);
      const usage = page.locator("#keys-body tr", { hasText: "Partner feed (metered)" }).locator(".usage");
      await expect.poll(() => usage.textContent()).toContain("Credits: 4,999 left");
      expect(await usage.textContent()).toContain("IPs: 203.0.113.0/24");
    } else expect(await restrict.count()).toBe(0);
    // no key carries usage control until the server sets it, so no usage line is drawn
    if (!session.features.usage) expect(await page.locator("#keys-body .usage").count()).toBe(0);
  });

  it("serves a favicon the page links and the CSP allows", async () => {
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/favicon.svg");
    const res = await fetch(`${server.url}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(await res.text()).toMatch(/^<svg /);
    expect((await fetch(server.url)).headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("exposes revoked-by only for the session's own organization, and only to a session", async () => {
    expect((await fetch(`${server.url}/audit`)).status).toBe(401);
    const audit = (await (await context.request.get(`${server.url}/audit`)).json()) as Record<string, { revokedBy?: string }>;
    expect(Object.values(audit).map((e) => e.revokedBy)).toContain("user_ada");
  });

  it("never prints a key", () => {
    expect(server.stdout()).not.toMatch(KEY_PATTERN);
  });

  it("does not serve the management API without the session", async () => {
    const res = await fetch(`${server.url}/settings/api-keys`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
  });
});
