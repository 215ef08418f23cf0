// A browser app as a partner would write one: the package imported by name, the wasm
// fetched by init(), then validation. It reports to the test through window.report.
import init, { validateAnalyticsQuery, validateAnalyticsRequest, validateSecretKey } from "campaign-analytics-validator";
import { cases } from "../../js/cases.json";

const ID = "123e4567-e89b-12d3-a456-426614174000";
const pairs = (list) => list.map((e) => [e.field, e.code]);
const report = { beforeInit: validateAnalyticsRequest(ID, "time_frame=per_day"), cases: [] };

try {
  await init();
  for (const c of cases) {
    const r = validateAnalyticsRequest(c.campaign_id, c.query);
    report.cases.push({ name: c.name, errors: pairs(r.fields), warnings: pairs(r.warnings), path: r.query?.path ?? null });
  }
  report.query = validateAnalyticsQuery({ campaign_id: ID.toUpperCase(), time_frame: "custom_range", start_date: "2024-02-01", end_date: "2024-02-29", page: 2, is_purchase: false });
  report.key = validateSecretKey("sk_live_0123456789abcdefghijKLMNOPQRSTUV");
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  let hostile = 0;
  for (let i = 0; i < 20_000; i++) hostile += validateAnalyticsQuery(proxy).fields[0].code === "invalid_input" ? 1 : 0;
  report.hostile = hostile;
  report.after = validateAnalyticsRequest(ID, "time_frame=per_hour&limit=5").query?.path ?? null;
} catch (error) {
  report.error = String(error?.stack ?? error);
}
window.report = report;
document.getElementById("status").textContent = report.error ? "failed" : "done";
