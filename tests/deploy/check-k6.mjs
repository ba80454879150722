// Checks the k6 scripts without k6 (not installable here):
//   0. the scripts type-check against @types/k6 (TypeScript, checkJs): a k6 API called wrongly fails;
//   1. every script passes `node --check` (k6 runs them as ES modules);
//   2. the protos lib/guardrail.js loads parse with @grpc/proto-loader, and every method,
//      enum value, request field and response field the scripts name exists in them;
//   3. the pure modules run under node: the prompt mix builds from loadtests/prompts.json and each
//      prompt expects a real verdict; every scenario exports options with the SLO thresholds.
// Usage: node check-k6.mjs K6_DIR PROTOS_DIR   Exit 0 when all hold, 1 with the reasons.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import protoLoader from '@grpc/proto-loader';
import ts from 'typescript';

const [k6Dir, protosDir] = process.argv.slice(2);
const problems = [];
const fail = (m) => problems.push(m);
const scripts = ['lib', 'scenarios'].flatMap((d) => fs.readdirSync(path.join(k6Dir, d)).filter((f) => f.endsWith('.js')).map((f) => path.join(k6Dir, d, f)));
const sources = new Map(scripts.map((f) => [f, fs.readFileSync(f, 'utf8')]));
const rel = (f) => path.relative(k6Dir, f);

// 0. Types: the k6 modules as @types/k6 declares them.
const typesRoot = path.join(path.dirname(new URL(import.meta.url).pathname), 'node_modules', '@types');
const program = ts.createProgram(scripts, {
  allowJs: true, checkJs: true, noEmit: true, skipLibCheck: true, lib: ['lib.es2022.d.ts'],
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: ['k6'], typeRoots: [typesRoot],
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  const where = d.file ? `${rel(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : 'k6 scripts';
  fail(`${where}: type check (@types/k6): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

// 1. Syntax.
for (const file of scripts) {
  const result = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  if (result.status !== 0) fail(`${rel(file)}: node --check failed: ${result.stderr.trim().split('\n').slice(0, 5).join(' ')}`);
}

// 2. Protos and the names the scripts use.
const clientFile = path.join(k6Dir, 'lib', 'guardrail.js');
const loadCall = /client\.load\(\s*\[[^\]]*\]\s*,([^)]*)\)/.exec(sources.get(clientFile) ?? '');
const protoFiles = loadCall ? [...loadCall[1].matchAll(/'([^']+\.proto)'/g)].map((m) => m[1]) : [];
if (!protoFiles.length) fail('lib/guardrail.js: no client.load([...], "x.proto") call found');
let definition = {};
try {
  definition = protoLoader.loadSync(protoFiles, { includeDirs: [protosDir], keepCase: true });
} catch (e) {
  fail(`loading ${protoFiles.join(', ')} from ${protosDir}: ${e.message}`);
}

const messages = Object.values(definition).filter((d) => d.type?.field);
const enums = Object.values(definition).filter((d) => d.type?.value);
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
// k6 takes requests in either spelling and answers with the JSON (lowerCamelCase) names.
const fieldNames = new Set(messages.flatMap((m) => m.type.field.flatMap((f) => [f.name, camel(f.name)])));
const enumValues = new Set(enums.flatMap((e) => e.type.value.map((v) => v.name)));
// Services are the definitions without a type; each method's path is "/package.Service/Method".
const methods = new Set(Object.values(definition).filter((d) => !d.type).flatMap((d) => Object.values(d).map((m) => m.path.slice(1))));

for (const [file, text] of sources) {
  for (const m of text.matchAll(/'(guardrail\.v1\.[A-Za-z]+\/[A-Za-z]+)'/g)) {
    if (!methods.has(m[1])) fail(`${rel(file)}: method ${m[1]} is not in the loaded protos`);
  }
  for (const m of text.matchAll(/'((?:VERDICT|MODEL_KIND|CHANNEL|DETECTOR_STATUS|MODEL_STATUS)_[A-Z_]+)'/g)) {
    if (!enumValues.has(m[1])) fail(`${rel(file)}: enum value ${m[1]} is not in the loaded protos`);
  }
  for (const m of text.matchAll(/\bmessage\.([A-Za-z_]+)/g)) {
    if (!fieldNames.has(m[1])) fail(`${rel(file)}: response field message.${m[1]} is not a field of any loaded message`);
  }
  for (const m of text.matchAll(/\b([a-z]+(?:_[a-z]+)+):(?!\s*\[)/g)) { // not `metric_name: [thresholds]`
    if (!fieldNames.has(m[1])) fail(`${rel(file)}: request field ${m[1]} is not a field of any loaded message`);
  }
}

// 3. The pure modules under node.
const load = (f) => import(pathToFileURL(path.join(k6Dir, 'lib', f)).href);
const { readSettings } = await load('config.js');
const { buildMix } = await load('prompts.js');
const { slo } = await load('thresholds.js');
const settings = readSettings({});
const promptFile = JSON.parse(fs.readFileSync(path.resolve(k6Dir, 'lib', settings.prompts), 'utf8'));
const mix = buildMix(promptFile, 500);
for (const p of mix.prompts) {
  if (!enumValues.has(p.expect)) fail(`prompts.json: ${p.kind} prompt expects ${p.expect}, which is not a Verdict`);
}
const kinds = new Set(Array.from({ length: 64 }, (_, n) => mix.at(n).kind));
for (const kind of Object.keys(promptFile.weights)) if (!kinds.has(kind)) fail(`prompt mix: kind ${kind} never comes up in 64 calls`);
if (!fs.existsSync(path.resolve(k6Dir, 'lib', settings.protos, protoFiles[0] ?? ''))) fail(`config.js: the default protos path ${settings.protos} (relative to lib/) does not hold ${protoFiles[0]}`);
if (slo(settings).guardrail_verdict_ok?.[0] !== 'rate==1') fail('thresholds.js: the verdict SLO is not rate==1');

for (const file of scripts.filter((f) => f.includes(`${path.sep}scenarios${path.sep}`))) {
  const text = sources.get(file);
  if (!/export const options\s*=/.test(text)) fail(`${rel(file)}: does not export options`);
  if (!/thresholds:\s*slo\(settings/.test(text)) fail(`${rel(file)}: its thresholds are not the SLOs (thresholds: slo(settings, ...))`);
  if (/abortOnFail:\s*false|thresholds:\s*\{\s*\}/.test(text)) fail(`${rel(file)}: switches thresholds off`);
}

if (problems.length) {
  for (const p of problems) console.error(`k6 check: ${p}`);
  process.exit(1);
}
console.log(`k6 check: ${scripts.length} scripts type-check against @types/k6 and parse; ${protoFiles.join(', ')} load with ${methods.size} methods; every name used exists; ${mix.prompts.length} prompts; SLO thresholds in every scenario`);
