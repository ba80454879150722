// Settings from the environment (k6 -e NAME=value or exported variables). Pure: no k6 imports,
// so the project's checks can load it under node.
const env = globalThis.__ENV ?? {};

const number = (value, fallback) => (value === undefined || value === '' ? fallback : Number(value));
const list = (value) => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function readSettings(e) {
  return {
    address: e.GUARDRAIL_ADDRESS ?? '127.0.0.1:50051',
    // Screen calls: GUARDRAIL_API_KEY, or the tenant keys in turn; Admin calls: the operator key.
    apiKey: e.GUARDRAIL_API_KEY ?? '',
    tenantKeys: list(e.GUARDRAIL_TENANT_KEYS),
    operatorKey: e.GUARDRAIL_OPERATOR_KEY ?? e.GUARDRAIL_API_KEY ?? '',
    // Relative to lib/ (where they are loaded); absolute paths work from anywhere.
    protos: e.GUARDRAIL_PROTOS ?? '../../../protos',
    prompts: e.GUARDRAIL_PROMPTS ?? '../../prompts.json',
    chars: number(e.CHARS, 1000),
    mix: e.MIX ?? '',
    rate: number(e.RATE, 0),
    duration: e.DURATION ?? '',
    timeout: e.TIMEOUT ?? '5s',
    session: e.SESSION ?? 'k6',
    // SLOs: latency of Screen as the client sees it.
    p95Ms: number(e.SLO_P95_MS, 25),
    p99Ms: number(e.SLO_P99_MS, 100),
    // isolation-drill
    model: e.MODEL ?? 'drill-target',
    otherModel: e.OTHER_MODEL ?? 'drill-other',
    fallback: e.FALLBACK ?? '',
    graceMs: number(e.GRACE_MS, 2000),
  };
}

export const settings = readSettings(env);

/** DURATION from the environment, else the scenario's default (k6 duration syntax: 30s, 5m, 2h). */
export const duration = (fallback) => settings.duration || fallback;

/** k6 duration string → seconds (for scenarios that schedule phases). */
export function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`not a k6 duration: ${text}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}
