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
  // "Decoded as browsers do", checked against this browser's own URLSearchParams: raw
  // non-ASCII beside escapes that are not UTF-8, lone surrogates, broken escapes, and
  // 2,000 generated names (Node's URLSearchParams differs on some of these).
  const odd = ["é%e9", "%e9é", "😀%e9", "a+b%20c", "%F0%9F%98", "%ED%A0%80", "\uD800", "x%zz%", "%EF%BB%BFa", "a%00b", "%C0%AF", "%F4%90%80%80", "%2", "%", "é%C3%A9"];
  const pieces = ["%", "+", "=", "a", "Z", "0", "f", "é", "😀", "\uD800", "\uDC00", " ", "?", "#", "%2", "%25", "%e9", "%C3%A9", "%F0%9F", "%ED%A0%80", "%zz"];
  let seed = 20261202;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < 2_000; i++) {
    let name = "";
    for (let n = 1 + Math.floor(random() * 6); n > 0; n--) name += pieces[Math.floor(random() * pieces.length)];
    odd.push(name);
  }
  report.decoding = odd.map((name) => {
    const qs = `time_frame=per_day&${name}=1`;
    const ours = validateAnalyticsRequest(ID, qs);
    const counts = new Map();
    for (const key of new URLSearchParams(qs).keys()) if (key !== "time_frame") counts.set(key, (counts.get(key) ?? 0) + 1);
    const browsers = [...counts].filter(([key, n]) => n === 1 && !["start_date", "end_date", "is_purchase", "page", "limit"].includes(key)).map(([key]) => key);
    return [name, ours.warnings.filter((w) => w.code === "unknown_parameter").map((w) => w.field), browsers];
  });
  report.after = validateAnalyticsRequest(ID, "time_frame=per_hour&limit=5").query?.path ?? null;
} catch (error) {
  report.error = String(error?.stack ?? error);
}
window.report = report;
document.getElementById("status").textContent = report.error ? "failed" : "done";
