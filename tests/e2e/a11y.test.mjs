// Accessibility after a query, checked by axe-core in both colour themes: the release
// dashboard against the reference server, with cards, chart, comparison, table and pager
// on screen. No serious or critical violation is allowed.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && node --test a11y.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { ACME } from "./make-fixture.mjs";
import { by, runAndCompare, serveAndBrowse } from "./harness.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe's serious and critical violations on the page, one line each (rule, impact, where). */
async function seriousViolations(page) {
  // Injected through the page's script engine, not a <script> tag: the dashboard's CSP
  // allows scripts from its own origin only, and rightly so.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).join(", ")}`);
}

describe("accessibility after a query (axe-core)", () => {
  const live = serveAndBrowse();

  for (const theme of ["light", "dark"]) {
    test(`no serious or critical violation in the ${theme} theme`, async () => {
      const page = await live.browser.context.newPage();
      await page.goto(live.server.url + "/");
      await page.selectOption(by("theme"), theme);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      await page.fill(by("api-key"), ACME.key);
      await page.fill(by("campaign-id"), ACME.spring);
      await page.selectOption(by("page-size"), "10");
      await runAndCompare(page);
      // Animations done, so colours are measured as they settle.
      await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity).map((a) => a.finished.catch(() => {}))));
      const found = await seriousViolations(page);
      assert.deepEqual(found, [], `axe in the ${theme} theme:\n${found.join("\n")}`);
      await page.selectOption(by("theme"), "");
      await page.close();
    });
  }
});
