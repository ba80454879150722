// smoke: a few calls a second for 30 s, every prompt of the mix, every verdict checked. Run it
// after each deploy: k6 run -e GUARDRAIL_ADDRESS=host:50051 -e GUARDRAIL_API_KEY=... scenarios/smoke.js
import { duration, settings } from '../lib/config.js';
import { expectVerdict, iteration, mix, screen } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

export const options = {
  scenarios: {
    smoke: { executor: 'constant-arrival-rate', rate: settings.rate || 5, timeUnit: '1s', duration: duration('30s'), preAllocatedVUs: 2, maxVUs: 4 },
  },
  thresholds: slo(settings),
};

export default function () {
  const prompt = mix.at(iteration());
  expectVerdict(screen(prompt), prompt);
}
