// Interop client: calls a running gateway through @grpc/grpc-js with the protos loaded by
// @grpc/proto-loader, and prints one JSON object with what each scenario got. The C# test
// (Guardrail.IntegrationTests.InteropTests) asserts on it, the same way as for the Python client.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';

// Usage: node interop.mjs ADDRESS PROTO_ROOT, with $GUARDRAIL_API_KEY sent as "authorization: Bearer KEY" when set.
const [address, protoRoot] = process.argv.slice(2);
const key = process.env.GUARDRAIL_API_KEY;
const definition = protoLoader.loadSync(
  ['guardrail/v1/screen.proto', 'guardrail/v1/diagnostics.proto', 'grpc/health/v1/health.proto'],
  { includeDirs: [protoRoot], keepCase: true, enums: String, longs: Number, defaults: true });
const api = grpc.loadPackageDefinition(definition);
const insecure = grpc.credentials.createInsecure();
const options = { 'grpc.max_send_message_length': 32 * 1024 * 1024, 'grpc.max_receive_message_length': 32 * 1024 * 1024 };
const screen = new api.guardrail.v1.Screen(address, insecure, options);
const diagnostics = new api.guardrail.v1.Diagnostics(address, insecure, options);
const health = new api.grpc.health.v1.Health(address, insecure, options);

function call(client, method, request, timeoutMs = 10000) {
  const started = Date.now();
  return new Promise((resolve) => {
    const metadata = new grpc.Metadata();
    if (key) metadata.add('authorization', `Bearer ${key}`);
    client[method](request, metadata, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
      const elapsed_ms = Date.now() - started;
      if (error) resolve({ code: error.code, details: error.details, elapsed_ms });
      else resolve({ ...summarise(response), elapsed_ms });
    });
  });
}

function summarise(response) {
  if (response.verdict === undefined) return response;
  return {
    verdict: response.verdict,
    redacted_text: response.redacted_text,
    restored_text: response.restored_text,
    reasons: response.reasons,
    findings: response.findings.map((f) => ({
      category: f.category, rule: f.rule, document_id: f.document_id, start: f.span.start, end: f.span.end, hidden: f.hidden, hidden_as: f.hidden_as })),
    detectors: response.detectors.map((d) => ({ detector: d.detector, model: d.model, version: d.version, status: d.status })),
  };
}

function unknownMethod() {
  return new Promise((resolve) => {
    screen.makeUnaryRequest('/guardrail.v1.Screen/DoesNotExist', (x) => x, (x) => x, Buffer.alloc(0), (error) =>
      resolve(error ? { code: error.code, details: error.details } : { code: 0 }));
  });
}

const scenarios = JSON.parse(readFileSync(new URL('../scenarios.json', import.meta.url)));
scenarios.document = scenarios.document_prefix.repeat(scenarios.document_repeat) + scenarios.document_attack + scenarios.document_prefix;
const results = {
  health: await call(health, 'Check', { service: '' }),
  benign: await call(screen, 'Screen', { text: scenarios.benign }),
  injection: await call(screen, 'Screen', { text: scenarios.injection, session_id: 'node-1', model_id: 'gpt-x' }),
  pii: await call(screen, 'Screen', { text: scenarios.pii }),
  anon_prompt: await call(screen, 'Screen', { text: scenarios.anon_prompt, session_id: 'node-anon' }),
  anon_output: await call(screen, 'Screen', { text: scenarios.anon_output, session_id: 'node-anon', channel: 'CHANNEL_MODEL_OUTPUT', deanonymize: true }),
  deanonymize_prompt: await call(screen, 'Screen', { text: scenarios.anon_output, session_id: 'node-anon', deanonymize: true }),
  smuggled: await call(screen, 'Screen', { text: scenarios.smuggled }),
  encoded: await call(screen, 'Screen', { text: scenarios.encoded }),
  gcg: await call(screen, 'Screen', { text: scenarios.gcg }),
  gcg_plain: await call(screen, 'Screen', { text: scenarios.gcg_plain }),
  document: await call(screen, 'Screen', { text: 'Summarise this', documents: [{ id: 'kb-7', source: 'wiki', text: scenarios.document }] }),
  empty: await call(screen, 'Screen', { text: '' }),
  oversized: await call(screen, 'Screen', { text: 'x'.repeat(5 * 1024 * 1024) }),
  unimplemented: await unknownMethod(),
  deadline: await call(diagnostics, 'Echo', { text: 'slow', delay_ms: 5000 }, 300),
  after: await call(health, 'Check', { service: '' }),
};
console.log(JSON.stringify(results));
for (const client of [screen, diagnostics, health]) client.close();
