// The SLOs every scenario is held to. Thresholds are never switched off: a scenario may add to
// them or loosen latency for a spike, not drop the verdict checks.

/**
 * @param settings from config.js
 * @param options.p99Ms a looser p99 (spike); options.failedRate calls allowed to fail (spike: some
 *        UNAVAILABLE while new gateways start); options.extra more thresholds
 */
export function slo(settings, { p99Ms = settings.p99Ms, failedRate = 0, extra = {} } = {}) {
  return {
    // Screen latency as the caller sees it.
    'grpc_req_duration{call:screen}': [`p(95)<${settings.p95Ms}`, `p(99)<${p99Ms}`],
    // Known attacks blocked, personal data redacted, benign prompts allowed: on every answer.
    guardrail_verdict_ok: ['rate==1'],
    // Calls that got a gRPC error instead of an answer.
    guardrail_call_failed: [failedRate === 0 ? 'rate==0' : `rate<${failedRate}`],
    ...extra,
  };
}
