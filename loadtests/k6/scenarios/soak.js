// soak: RATE (default 100 calls/s) for DURATION (default 2h): memory, connections, audit
// backlog and Redis keys must not drift; the SLOs hold to the end.
import { duration, settings } from '../lib/config.js';
import { expectVerdict, iteration, mix, screen } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

const rate = settings.rate || 100;

export const options = {
  scenarios: {
    soak: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: duration('2h'), preAllocatedVUs: Math.ceil(rate / 20), maxVUs: rate * 2 },
  },
  thresholds: slo(settings),
};

export default function () {
  const prompt = mix.at(iteration());
  expectVerdict(screen(prompt), prompt);
}
