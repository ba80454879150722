// The gRPC client of every scenario: loads protos/ once (init phase), Screen and Admin calls with
// API keys, and the metrics the SLO thresholds read.
import grpc from 'k6/net/grpc';
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate } from 'k6/metrics';
import { settings } from './config.js';
import { buildMix } from './prompts.js';

export const METHODS = {
  screen: 'guardrail.v1.Screen/Screen',
  isolate: 'guardrail.v1.Admin/IsolateModel',
  restore: 'guardrail.v1.Admin/RestoreModel',
};

const client = new grpc.Client();
client.load([settings.protos], 'guardrail/v1/screen.proto', 'guardrail/v1/admin.proto');

export const mix = buildMix(JSON.parse(open(settings.prompts)), settings.chars, settings.mix);

export const verdictOk = new Rate('guardrail_verdict_ok');
export const callFailed = new Rate('guardrail_call_failed');
export const throttled = new Counter('guardrail_throttled');

let connected = false;
function connect() {
  if (!connected) {
    client.connect(settings.address, { plaintext: true, timeout: '10s' });
    connected = true;
  }
}

const metadata = (key) => (key ? { authorization: `Bearer ${key}` } : {});

/** The key for this iteration: GUARDRAIL_TENANT_KEYS in turn, else GUARDRAIL_API_KEY. */
export const keyFor = (n) => (settings.tenantKeys.length ? settings.tenantKeys[n % settings.tenantKeys.length] : settings.apiKey);

/** This iteration's number across the test (picks the prompt). */
export const iteration = () => exec.scenario.iterationInTest;

/**
 * The parts of guardrail.v1.ScreenResponse the scenarios read (k6 answers with the JSON names).
 * @typedef {{ verdict: string, reasons: string[], fallbackModelId: string, retryAfterMs: string | number }} ScreenMessage
 * @typedef {import('k6/net/grpc').Response & { message: ScreenMessage }} ScreenAnswer
 */

/** Screen one prompt, in a session of its own: session state is read and written on every call,
 *  but risk never carries from one prompt to the next (repeated prompts in one session drift to FLAG). */
/** @returns {ScreenAnswer} */
export function screen(prompt, { key = keyFor(iteration()), model = '', tags = {} } = {}) {
  connect();
  const request = { text: prompt.text, session_id: `${settings.session}-${exec.vu.idInTest}-${exec.vu.iterationInScenario}`, model_id: model };
  const response = /** @type {ScreenAnswer} */ (client.invoke(METHODS.screen, request, { metadata: metadata(key), timeout: settings.timeout, tags: { call: 'screen', kind: prompt.kind, ...tags } }));
  const failed = response.status !== grpc.StatusOK;
  callFailed.add(failed, tags);
  if (!failed && response.message.verdict === 'VERDICT_THROTTLE') throttled.add(1, tags);
  return response;
}

/** The answer has the verdict the mix expects for the prompt; recorded for the SLO.
 * @param {ScreenAnswer} response */
export function expectVerdict(response, prompt, tags = {}) {
  const ok = response.status === grpc.StatusOK && response.message.verdict === prompt.expect;
  verdictOk.add(ok, { kind: prompt.kind, ...tags });
  check(response, { [`${prompt.kind} prompt answered ${prompt.expect}`]: () => ok }, tags);
  return ok;
}

/** An Admin call with the operator key; returns the response (status checked by the caller). */
export function admin(method, request) {
  connect();
  return client.invoke(method, request, { metadata: metadata(settings.operatorKey), timeout: settings.timeout, tags: { call: 'admin' } });
}

export const StatusOK = grpc.StatusOK;
