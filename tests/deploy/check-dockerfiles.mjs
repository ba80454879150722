// Checks the Dockerfiles without a container engine (none is installable on these machines):
// multi-stage; the final stage runs as a numeric non-root USER, has an ENTRYPOINT and sets
// ORT_DISABLE_TELEMETRY=1 (ONNX Runtime must never phone home); every
// COPY from the build context names files that exist and that .dockerignore does not exclude.
// Usage: node check-dockerfiles.mjs REPO_ROOT DOCKERFILE...   Exit 0 when all hold, 1 with the reasons.
import fs from 'node:fs';
import path from 'node:path';

const [root, ...dockerfiles] = process.argv.slice(2);
const problems = [];
const ignored = fs.existsSync(path.join(root, '.dockerignore'))
  ? fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  : [];
// .dockerignore entries here are directory prefixes (optionally **/name/): enough for our file.
const isIgnored = (p) => ignored.some((rule) => {
  const name = rule.replace(/^\*\*\//, '').replace(/\/$/, '');
  return rule.startsWith('**/') ? p.split('/').includes(name) : p === name || p.startsWith(`${name}/`);
});

for (const file of dockerfiles) {
  const name = path.basename(file);
  // Join continuation lines, drop comments.
  const lines = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const op = instruction.toUpperCase();
    if (op === 'FROM') stages.push({ from: rest.join(' '), user: null, entrypoint: null, env: [] });
    else if (!stages.length) {
      if (op !== 'ARG') problems.push(`${name}: ${op} before the first FROM`);
    } else if (op === 'USER') stages.at(-1).user = rest[0];
    else if (op === 'ENTRYPOINT' || op === 'CMD') stages.at(-1).entrypoint = rest.join(' ');
    else if (op === 'ENV') stages.at(-1).env.push(...rest);
    else if (op === 'COPY' && !rest.some((a) => a.startsWith('--from='))) {
      const sources = rest.filter((a) => !a.startsWith('--')).slice(0, -1);
      for (const source of sources) {
        const clean = source.replace(/\/$/, '');
        if (!fs.existsSync(path.join(root, clean))) problems.push(`${name}: COPY ${source}: no such file in the build context`);
        else if (isIgnored(clean)) problems.push(`${name}: COPY ${source}: excluded by .dockerignore`);
      }
    }
  }

  if (stages.length < 2) problems.push(`${name}: not multi-stage (${stages.length} FROM)`);
  const last = stages.at(-1);
  if (!last) continue;
  const uid = last.user?.split(':')[0];
  if (!uid || !/^\d+$/.test(uid) || uid === '0') problems.push(`${name}: the final stage must set a numeric non-root USER (has ${last.user ?? 'none'})`);
  if (!last.entrypoint) problems.push(`${name}: the final stage has no ENTRYPOINT`);
  if (!last.env.includes('ORT_DISABLE_TELEMETRY=1')) problems.push(`${name}: the final stage does not set ORT_DISABLE_TELEMETRY=1`);
}

if (problems.length) {
  for (const p of problems) console.error(`dockerfile check: ${p}`);
  process.exit(1);
}
console.log(`dockerfile check: ${dockerfiles.length} Dockerfile(s): multi-stage, non-root, telemetry off, sources present`);
