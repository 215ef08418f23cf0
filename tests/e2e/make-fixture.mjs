// Writes fixture.json: the data the end-to-end tests run the reference server with.
// Deterministic (no randomness), so the expected numbers can be derived from the file
// itself. Run: node make-fixture.mjs  (the committed fixture.json is its output).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const hex = (n, width = 12) => n.toString(16).padStart(width, "0");
const id = (prefix, n) => `${prefix}-0000-4000-8000-${hex(n)}`;

// The clock the server is pinned to in the tests.
export const NOW = Date.parse("2026-11-20T12:00:00Z");

export const ACME = {
  partner: id("a0000000", 1),
  key: "sk_test_" + "AcmeE2eKey".padEnd(32, "0"),
  spring: id("c0000000", 1), // active, 120 instances in the last 25 days, a few older
  draft: id("c0000000", 2), // draft: 409
  dormant: id("c0000000", 3), // active, activity only 200 days ago: 422 for per_day
};
export const OTHER = {
  partner: id("a0000000", 2),
  key: "sk_test_" + "OtherE2eKey".padEnd(32, "0"),
  campaign: id("c0000000", 4), // Acme's key gets 403 here
};

function instances() {
  const out = [];
  const add = (campaign, n, at, purchase) => {
    out.push({
      instance_id: id("10000000", n),
      campaign_id: campaign,
      insider_id: id("20000000", n),
      is_purchase: purchase,
      purchased_insider_id: purchase ? id("30000000", n) : null,
      timestamp: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      revenue: purchase ? Math.round((10 + (n % 7) * 1.25 + (n % 3) * 0.33) * 100) / 100 : 0,
    });
  };
  // 120 instances spread over the last 25 days: every third one a purchase.
  for (let i = 0; i < 120; i++) {
    add(ACME.spring, i + 1, NOW - (i * 5 * 3600 + 7 * 60 + i) * 1000, i % 3 === 0);
  }
  // 5 older ones (40–44 days ago): outside per_day, inside per_month.
  for (let i = 0; i < 5; i++) {
    add(ACME.spring, 200 + i, NOW - (40 + i) * 86400 * 1000, i % 2 === 0);
  }
  add(ACME.dormant, 300, NOW - 200 * 86400 * 1000, true);
  add(OTHER.campaign, 400, NOW - 3600 * 1000, false);
  return out;
}

export const fixture = {
  partners: [
    { id: ACME.partner, name: "Acme", keys: [ACME.key] },
    { id: OTHER.partner, name: "Other", keys: [OTHER.key] },
  ],
  campaigns: [
    { id: ACME.spring, partner_id: ACME.partner, name: "Spring", status: "active" },
    { id: ACME.draft, partner_id: ACME.partner, name: "Draft", status: "draft" },
    { id: ACME.dormant, partner_id: ACME.partner, name: "Dormant", status: "paused" },
    { id: OTHER.campaign, partner_id: OTHER.partner, name: "Theirs", status: "active" },
  ],
  instances: instances(),
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL("./fixture.json", import.meta.url));
  writeFileSync(path, JSON.stringify(fixture, null, 2) + "\n");
  console.log(`wrote ${path}: ${fixture.instances.length} instances`);
}
