// spike: RATE (default 100 calls/s), then SPIKE_FACTOR (default 10) times it for a minute, then
// RATE again. Latency may stretch to SLO_SPIKE_P99_MS during the burst and 1 % of calls may be
// refused (UNAVAILABLE with pushback while the HPA adds gateways); every answer's verdict still
// has to be right.
import { settings } from '../lib/config.js';
import { expectVerdict, iteration, mix, screen } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

const base = settings.rate || 100;
const peak = base * Number(__ENV.SPIKE_FACTOR ?? 10);

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base,
      timeUnit: '1s',
      preAllocatedVUs: Math.ceil(base / 10),
      maxVUs: peak * 2,
      stages: [
        { target: base, duration: '1m' },
        { target: peak, duration: '10s' },
        { target: peak, duration: '1m' },
        { target: base, duration: '10s' },
        { target: base, duration: '2m' },
      ],
    },
  },
  thresholds: slo(settings, { p99Ms: Number(__ENV.SLO_SPIKE_P99_MS ?? 500), failedRate: 0.01 }),
};

export default function () {
  const prompt = mix.at(iteration());
  expectVerdict(screen(prompt), prompt);
}
