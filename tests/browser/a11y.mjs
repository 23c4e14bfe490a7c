// The accessibility audit of the mirror (#app-a11y), shared by the page, kiosk and IWA tests:
// axe-core (npm @axe-core/playwright) on the mirror as a keyboard user sees it (focused), in
// both languages; every input and button named; the alert and status regions each a live
// region of their own, announced once per change.
import assert from "node:assert/strict";
import AxeBuilder from "@axe-core/playwright";

// Records every text the alert and status regions take, to tell a real change from a repeat
// (a region re-filled with the same text is announced again).
export async function recordAnnouncements(target) {
  await target.addInitScript(() => {
    window.__announced = { alert: [], status: [] };
    const watch = () => {
      const root = document.getElementById("app-a11y");
      const alert = root && root.querySelector('[role="alert"]');
      const status = root && root.querySelector('[role="status"]');
      if (!alert || !status) return requestAnimationFrame(watch);
      for (const [name, node] of [["alert", alert], ["status", status]]) {
        new MutationObserver(() => window.__announced[name].push(node.textContent))
          .observe(node, { childList: true, characterData: true, subtree: true });
      }
    };
    document.addEventListener("DOMContentLoaded", watch);
  });
}

async function audit(page, label) {
  // The mirror shows itself while it holds the focus (page.css): axe sees what a keyboard user
  // sees, colours and sizes included.
  await page.evaluate(() => document.querySelector("#app-a11y h2").focus());
  // Legacy mode runs axe in the page itself: no blank page of its own (the tests open pages
  // with browser.newPage, and the IWA has its own window).
  const results = await new AxeBuilder({ page }).setLegacyMode(true).include("#app-a11y")
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const serious = results.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), [],
    `${label}: serious or critical axe violations`);
  const names = await page.evaluate(() => {
    const root = document.getElementById("app-a11y");
    const unnamed = [];
    for (const input of root.querySelectorAll("input")) {
      const label = input.labels[0]?.textContent.trim();
      if (!label) unnamed.push(`input#${input.id}`);
      if (input.tabIndex < 0) unnamed.push(`input#${input.id} (not tabbable)`);
    }
    for (const button of root.querySelectorAll("button")) {
      if (!button.textContent.trim()) unnamed.push(`button[${button.dataset.action}]`);
      if (button.tabIndex < 0) unnamed.push(`button[${button.dataset.action}] (not tabbable)`);
    }
    // One live region each: the root is not one, nothing live nests in another.
    const live = [...root.querySelectorAll('[role="alert"], [role="status"], [aria-live]:not([aria-live="off"])')];
    const nested = live.filter((node) => live.some((other) => other !== node && other.contains(node)));
    return { unnamed, rootLive: root.getAttribute("aria-live"), nested: nested.length,
             alerts: root.querySelectorAll('[role="alert"]').length,
             statuses: root.querySelectorAll('[role="status"]').length };
  });
  assert.deepEqual(names, { unnamed: [], rootLive: null, nested: 0, alerts: 1, statuses: 1 }, label);
  await page.evaluate(() => document.activeElement?.blur());
  return results.violations.length;
}

// Audits the current screen in Turkish and in English, and comes back to Turkish.
export async function auditBothLanguages(page, label) {
  await audit(page, `${label} (tr)`);
  await switchLanguage(page);
  await audit(page, `${label} (en)`);
  await switchLanguage(page);
}

async function switchLanguage(page) {
  const before = await page.evaluate(() => document.getElementById("app-a11y").lang);
  await page.locator('#app-a11y button[data-action="switch_language"]').focus();
  await page.keyboard.press("Enter");
  for (let i = 0; i < 100; ++i) {
    if (await page.evaluate((was) => document.getElementById("app-a11y").lang !== was, before)) return;
    await page.waitForTimeout(20);
  }
  throw new Error("the language did not switch");
}

// No region said the same thing twice in a row: each change announced once.
export async function checkAnnouncedOnce(page, label) {
  const announced = await page.evaluate(() => window.__announced);
  for (const [region, texts] of Object.entries(announced)) {
    const repeats = texts.filter((text, i) => i > 0 && text === texts[i - 1]);
    assert.deepEqual(repeats, [], `${label}: the ${region} region repeated itself`);
  }
}
