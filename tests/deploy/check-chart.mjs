// The two chart checks helm does not make (helm lint and helm template, run by the same tests,
// parse the templates, render them and validate values against values.schema.json):
//   1. every .Values path the templates, helpers and NOTES.txt read is defined in values.yaml
//      (helm renders an undefined value as empty, even with lint --strict);
//   2. README.md lists every value (leaves, or the whole of a free-form map such as resources).
// Usage: node check-chart.mjs CHART_DIR   Exit 0 when both hold, 1 with the reasons.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const chart = process.argv[2];
const problems = [];
const fail = (message) => problems.push(message);

// Maps and lists whose content is the user's (Kubernetes objects, Guardrail settings): the README
// lists them as a whole, not their keys.
const FREE_FORM = new Set(['resources', 'podSecurityContext', 'containerSecurityContext', 'nodeSelector', 'tolerations',
  'affinity', 'settings', 'extraEnv', 'podAnnotations', 'annotations', 'secretEnv', 'operatorKeys', 'imagePullSecrets']);

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const defaults = YAML.parse(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8'), { uniqueKeys: true }) ?? {};
const templateDir = path.join(chart, 'templates');
const files = fs.readdirSync(templateDir).sort().map((f) => path.join(templateDir, f));
const withoutComments = (text) => text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');

// 1. Every .Values path used is defined.
const lookup = (root, parts) => parts.reduce((node, part) => (isMap(node) && part in node ? node[part] : undefined), root);
for (const file of files) {
  for (const m of withoutComments(fs.readFileSync(file, 'utf8')).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    const parts = m[1].slice(1).split('.');
    if (lookup(defaults, parts) === undefined) fail(`${path.basename(file)}: .Values.${parts.join('.')} is not defined in values.yaml`);
  }
}

// 2. The README lists every value.
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
console.log(`chart check: ${chart}: every value the ${files.length} templates read is defined, and listed in README.md`);
