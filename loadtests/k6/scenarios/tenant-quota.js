// tenant-quota: the first of GUARDRAIL_TENANT_KEYS floods at FLOOD_RATE (default 10x RATE),
// every other tenant calls at RATE (default 5 calls/s). The flooder must be throttled (THROTTLE
// with retry_after_ms) and nobody else: quotas are per tenant.
//   k6 run -e GUARDRAIL_TENANT_KEYS=grk_noisy...,grk_quiet... scenarios/tenant-quota.js
import { check } from 'k6';
import { duration, settings } from '../lib/config.js';
import { expectVerdict, iteration, mix, screen, StatusOK } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

if (settings.tenantKeys.length < 2) throw new Error('tenant-quota needs GUARDRAIL_TENANT_KEYS with two or more tenant keys (the first floods)');
const quiet = settings.rate || 5;
const flood = Number(__ENV.FLOOD_RATE ?? quiet * 10);

export const options = {
  scenarios: {
    flood: { executor: 'constant-arrival-rate', exec: 'flooder', rate: flood, timeUnit: '1s', duration: duration('1m'), preAllocatedVUs: 10, maxVUs: flood * 2 },
    quiet: { executor: 'constant-arrival-rate', exec: 'quietTenants', rate: quiet, timeUnit: '1s', duration: duration('1m'), preAllocatedVUs: 2, maxVUs: 20 },
  },
  thresholds: slo(settings, {
    extra: {
      'guardrail_throttled{tenant:flood}': ['count>0'],
      'guardrail_throttled{tenant:quiet}': ['count==0'],
      'checks{tenant:flood}': ['rate==1'],
    },
  }),
};

export function flooder() {
  const prompt = mix.at(iteration());
  const response = screen(prompt, { key: settings.tenantKeys[0], tags: { tenant: 'flood' } });
  if (response.status === StatusOK && response.message.verdict === 'VERDICT_THROTTLE') {
    check(response, { 'THROTTLE carries retry_after_ms': (r) => Number(r.message.retryAfterMs) > 0 }, { tenant: 'flood' });
  } else {
    expectVerdict(response, prompt, { tenant: 'flood' });
  }
}

export function quietTenants() {
  const n = iteration();
  const prompt = mix.at(n);
  const others = settings.tenantKeys.slice(1);
  expectVerdict(screen(prompt, { key: others[n % others.length], tags: { tenant: 'quiet' } }), prompt, { tenant: 'quiet' });
}
