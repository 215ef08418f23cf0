// Writes docs/screenshot.png, the README's picture of the dashboard: the release build
// served by the reference server on demo data (`serve --demo`), at 1280 px, after the demo
// query of the last 30 days compared with the 30 days before. Run: npm run screenshot
// (after `scripts/build-dashboard.sh` and `cargo build -p campaign-analytics-server`).
import { join } from "node:path";
import { NOW, ROOT, by, checkPrerequisites, launchBrowser, runAndCompare, startServer } from "./harness.mjs";


checkPrerequisites();
const server = await startServer({ fixture: false, extraArgs: ["--demo"] });
const browser = await launchBrowser({ viewport: { width: 1280, height: 1000 } });
try {
  const page = await browser.context.newPage();
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  // The browser's today is the server's pinned one, so the periods match the data.
  await page.clock.setSystemTime(new Date(NOW));
  await page.goto(server.url + "/");
  await page.click(by("try-demo"));
  await page.waitForFunction((sel) => document.querySelector(sel)?.value.length === 36, by("campaign-id"));
  await page.selectOption(by("period-preset"), "last_30_days");
  await runAndCompare(page);
  await page.evaluate(() => document.activeElement?.blur());
  const path = join(ROOT, "docs", "screenshot.png");
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
} finally {
  await browser.close();
  await server.stop();
}
