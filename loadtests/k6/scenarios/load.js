// load: a steady RATE (default 200 calls/s) for DURATION (default 5m) against the SLOs.
import { duration, settings } from '../lib/config.js';
import { expectVerdict, iteration, mix, screen } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

const rate = settings.rate || 200;

export const options = {
  scenarios: {
    load: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: duration('5m'), preAllocatedVUs: Math.ceil(rate / 20), maxVUs: rate * 2 },
  },
  thresholds: slo(settings),
};

export default function () {
  const prompt = mix.at(iteration());
  expectVerdict(screen(prompt), prompt);
}
