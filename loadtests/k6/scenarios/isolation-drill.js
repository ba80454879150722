// isolation-drill: traffic to two target models (MODEL, OTHER_MODEL) at RATE each (default 20/s);
// at ISOLATE_AT (default 30s) the operator key isolates MODEL (with FALLBACK), at RESTORE_AT
// (default 60s) restores it. Only MODEL's answers may change, and only while isolated: BLOCK
// naming the isolation and the fallback. GRACE_MS (default 2000) around each change is not judged.
//   k6 run -e GUARDRAIL_OPERATOR_KEY=grk_... -e MODEL=gpt-x -e OTHER_MODEL=gpt-y -e FALLBACK=gpt-y scenarios/isolation-drill.js
import { check, sleep } from 'k6';
import { Rate } from 'k6/metrics';
import { seconds, settings } from '../lib/config.js';
import { admin, expectVerdict, iteration, METHODS, mix, screen, StatusOK } from '../lib/guardrail.js';
import { slo } from '../lib/thresholds.js';

const rate = settings.rate || 20;
const isolateAt = __ENV.ISOLATE_AT ?? '30s';
const restoreAt = __ENV.RESTORE_AT ?? '60s';
const end = __ENV.END_AT ?? '90s';
const isolatedOk = new Rate('drill_isolated_answer_ok');
const adminOk = new Rate('drill_admin_ok');

export const options = {
  scenarios: {
    target: { executor: 'constant-arrival-rate', exec: 'targetModel', rate, timeUnit: '1s', duration: end, preAllocatedVUs: 5, maxVUs: rate * 2 },
    other: { executor: 'constant-arrival-rate', exec: 'otherModel', rate, timeUnit: '1s', duration: end, preAllocatedVUs: 5, maxVUs: rate * 2 },
    drill: { executor: 'per-vu-iterations', exec: 'drill', vus: 1, iterations: 1, startTime: isolateAt, maxDuration: end },
  },
  thresholds: slo(settings, {
    extra: {
      'guardrail_verdict_ok{model:other}': ['rate==1'],
      drill_isolated_answer_ok: ['rate==1'],
      drill_admin_ok: ['rate==1'],
    },
  }),
};

export function setup() {
  return { startMs: Date.now() };
}

// before | isolated | after, or null inside the grace period around a change.
function phase(data) {
  const t = (Date.now() - data.startMs) / 1000;
  const grace = settings.graceMs / 1000;
  const [on, off] = [seconds(isolateAt), seconds(restoreAt)];
  if (Math.abs(t - on) < grace || Math.abs(t - off) < grace) return null;
  return t < on ? 'before' : t < off ? 'isolated' : 'after';
}

export function targetModel(data) {
  const prompt = mix.at(iteration());
  const now = phase(data);
  const response = screen(prompt, { model: settings.model, tags: { model: 'target' } });
  if (now === 'isolated') {
    const ok = response.status === StatusOK && response.message.verdict === 'VERDICT_BLOCK'
      && response.message.reasons.some((r) => r.includes('isolated')) && response.message.fallbackModelId === settings.fallback;
    isolatedOk.add(ok);
    check(response, { 'isolated model: BLOCK naming the isolation': () => ok });
  } else if (now !== null) {
    expectVerdict(response, prompt, { model: 'target' });
  }
}

export function otherModel() {
  const prompt = mix.at(iteration());
  expectVerdict(screen(prompt, { model: settings.otherModel, tags: { model: 'other' } }), prompt, { model: 'other' });
}

export function drill() {
  const model = { kind: 'MODEL_KIND_TARGET', id: settings.model };
  const isolated = admin(METHODS.isolate, { model, reason: 'k6 isolation drill', fallback: settings.fallback });
  adminOk.add(isolated.status === StatusOK);
  check(isolated, { 'IsolateModel answered': (r) => r.status === StatusOK });
  sleep(seconds(restoreAt) - seconds(isolateAt));
  const restored = admin(METHODS.restore, { model, reason: 'k6 isolation drill over' });
  adminOk.add(restored.status === StatusOK);
  check(restored, { 'RestoreModel answered': (r) => r.status === StatusOK });
}
