// Checks a Helm chart without helm (none is installable on these machines):
//   1. values.yaml (merged with each --values FILE, as helm -f does) validates against values.schema.json;
//   2. every template parses as YAML once its template actions are stripped (a line holding only
//      actions is dropped, an action inside a line becomes a placeholder), and each document has
//      apiVersion, kind and metadata.name; every included template is defined;
//   3. every .Values path used in templates, helpers and NOTES.txt is defined in values.yaml;
//   4. README.md lists every value (leaves, or the whole of a free-form map such as resources).
// Usage: node check-chart.mjs CHART_DIR [--values FILE]...   Exit 0 when all hold, 1 with the reasons.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';

const args = process.argv.slice(2);
const chart = args[0];
const extraValues = args.flatMap((a, i) => (a === '--values' ? [args[i + 1]] : []));
const problems = [];
const fail = (message) => problems.push(message);

// Maps and lists whose content is the user's (Kubernetes objects, Guardrail settings): the README
// lists them as a whole, not their keys.
const FREE_FORM = new Set(['resources', 'podSecurityContext', 'containerSecurityContext', 'nodeSelector', 'tolerations',
  'affinity', 'settings', 'extraEnv', 'podAnnotations', 'annotations', 'secretEnv', 'operatorKeys', 'imagePullSecrets']);

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const merge = (base, over) => {
  if (!isMap(base) || !isMap(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
};
const readYaml = (file) => {
  try {
    return YAML.parse(fs.readFileSync(file, 'utf8'), { uniqueKeys: true }) ?? {};
  } catch (e) {
    fail(`${file}: not YAML: ${e.message.split('\n')[0]}`);
    return {};
  }
};

// 1. Schema.
const defaults = readYaml(path.join(chart, 'values.yaml'));
const schema = JSON.parse(fs.readFileSync(path.join(chart, 'values.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strictTypes: false }).compile(schema);
for (const [name, values] of [['values.yaml', defaults], ...extraValues.map((f) => [f, merge(defaults, readYaml(f))])]) {
  if (!validate(values)) {
    for (const e of validate.errors) fail(`${name}: ${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
  }
}

// 2. Templates parse once actions are stripped.
const templateDir = path.join(chart, 'templates');
const files = fs.readdirSync(templateDir).sort().map((f) => path.join(templateDir, f));
const sources = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
const withoutComments = (text) => text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
const defined = new Set();
for (const text of sources.values()) for (const m of text.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)) defined.add(m[1]);
for (const [file, text] of sources) {
  for (const m of text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) {
    if (!defined.has(m[1])) fail(`${path.basename(file)}: includes "${m[1]}", which no template defines`);
  }
  const opened = (text.match(/\{\{/g) ?? []).length;
  const closed = (text.match(/\}\}/g) ?? []).length;
  if (opened !== closed) fail(`${path.basename(file)}: ${opened} "{{" but ${closed} "}}"`);
}

let placeholder = 0;
export function stripActions(text) {
  return withoutComments(text).split('\n').flatMap((line) => {
    if (!line.includes('{{')) return [line];
    if (line.replace(/\{\{.*?\}\}/g, '').trim() === '') return [];
    if (/\{\{(?![\s\S]*\}\})/.test(line)) throw new Error(`an action spans lines: ${line.trim()}`);
    return [line.replace(/\{\{.*?\}\}/g, () => `tpl${placeholder++}`)];
  }).join('\n');
}

for (const [file, text] of sources) {
  if (!file.endsWith('.yaml')) continue;
  const name = path.basename(file);
  let documents;
  try {
    documents = YAML.parseAllDocuments(stripActions(text), { uniqueKeys: true });
  } catch (e) {
    fail(`${name}: ${e.message}`);
    continue;
  }
  for (const doc of documents) {
    if (doc.errors.length) {
      fail(`${name}: not YAML once actions are stripped: ${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    const k8s = doc.toJS();
    if (k8s === null) continue;
    for (const field of ['apiVersion', 'kind']) if (!k8s[field]) fail(`${name}: a document without ${field}`);
    if (!k8s.metadata?.name) fail(`${name}: a ${k8s.kind ?? 'document'} without metadata.name`);
  }
}

// 3. Every .Values path used is defined.
const lookup = (root, parts) => parts.reduce((node, part) => (isMap(node) && part in node ? node[part] : undefined), root);
for (const [file, text] of sources) {
  for (const m of withoutComments(text).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    const parts = m[1].slice(1).split('.');
    if (lookup(defaults, parts) === undefined) fail(`${path.basename(file)}: .Values.${parts.join('.')} is not defined in values.yaml`);
  }
}

// 4. The README lists every value.
const readme = fs.existsSync(path.join(chart, 'README.md')) ? fs.readFileSync(path.join(chart, 'README.md'), 'utf8') : '';
const listed = new Set([...readme.matchAll(/`([A-Za-z0-9_.]+)`/g)].map((m) => m[1]));
const walk = (node, prefix) => {
  for (const [key, value] of Object.entries(node)) {
    const p = prefix ? `${prefix}.${key}` : key;
    if (isMap(value) && !FREE_FORM.has(key) && Object.keys(value).length) walk(value, p);
    else if (!listed.has(p)) fail(`README.md does not list the value ${p}`);
  }
};
walk(defaults, '');

if (problems.length) {
  for (const p of problems) console.error(`chart check: ${p}`);
  process.exit(1);
}
console.log(`chart check: ${chart}: values valid (${1 + extraValues.length} file(s)), ${files.length} templates parse, every value defined and listed`);
