/**
 * examples/dashboard end to end: the real server as a child process, driven
 * in headless Chromium through create → copy → use → disable/enable →
 * revoke, with the key checked against the protected API after each step.
 * Saves screenshots for the docs. Needs Debian's `chromium` (or
 * CHROMIUM_PATH); skips without it unless KEYWARD_REQUIRE_SERVICES is set.
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

  it("creates, reveals once, copies, uses, disables, enables and revokes a key", { timeout: 120_000 }, async () => {
    const name = "Nightly export (e2e)";

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

    // Create: a specific name and a role from the dropdown.
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Create key" }).click();

    // Shown once, with the warning.
    const reveal = page.locator("#reveal");
    await reveal.waitFor({ state: "visible" });
    expect(await reveal.textContent()).toContain("You will not see it again");
    const rawKey = await page.locator("#reveal-key").inputValue();
    expect(rawKey).toMatch(new RegExp(`^${KEY_PATTERN.source}$`));
    expect(rawKey.startsWith("cho_")).toBe(true);

    // The raw key is in the reveal field and nowhere else on the page.
    const placesHoldingKey = await page.evaluate((key) => {
      const hits: string[] = [];
      for (const el of Array.from(document.querySelectorAll("*"))) {
        const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes(key));
        if (own || (el instanceof HTMLInputElement && el.value.includes(key))) hits.push(el.id || el.tagName);
        if (Array.from(el.attributes).some((a) => a.value.includes(key))) hits.push(`${el.id || el.tagName}[attr]`);
      }
      return hits;
    }, rawKey);
    expect(placesHoldingKey).toEqual(["reveal-key"]);

    // The new row shows the masked prefix, role, creator, and "Never" used.
    const row = rowOf(name);
    await row.waitFor();
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).not.toContain(rawKey);
    expect(rowText).toContain(rawKey.slice(0, 12));
    expect(rowText).toContain("viewer");
    expect(rowText).toContain("jobs:read");
    expect(rowText).toContain("Ada Lovelace");
    expect(await row.locator(".last-used").textContent()).toBe("Never");

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

    // It is listed as revoked, with no action left to take.
    await page.getByRole("tab", { name: "Revoked" }).click();
    await rowOf(name).waitFor();
    expect(await rowOf(name).locator(".status").textContent()).toBe("revoked");
    expect(await rowOf(name).getByRole("button").count()).toBe(0);
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
