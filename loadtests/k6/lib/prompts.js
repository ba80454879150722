// The prompt mix shared with guardrailctl load (loadtests/prompts.json): each prompt padded with
// prose to `chars`, with the verdict the default policy gives it. Pure: no k6 imports.

function pad(seed, padding, chars) {
  let text = `${seed} `;
  while (text.length < chars) text += padding;
  // Cut at chars, but never inside a surrogate pair.
  return text.length <= chars || /[\uDC00-\uDFFF]/.test(text[chars]) ? text : text.slice(0, chars);
}

/** weights "benign=4,injection=2" override the file's; a kind at 0 is left out. */
export function buildMix(file, chars, weights = '') {
  const kindWeights = { ...file.weights };
  for (const part of weights.split(',').filter(Boolean)) {
    const [kind, weight] = part.split('=');
    if (!(kind in kindWeights) || !/^\d+$/.test(weight ?? '')) throw new Error(`MIX: expected kind=weight with a kind of ${Object.keys(kindWeights)}, got ${part}`);
    kindWeights[kind] = Number(weight);
  }
  const prompts = file.prompts.map((p) => ({ kind: p.kind, expect: p.expect, text: pad(p.text, file.padding, chars) }));
  const byKind = Object.fromEntries(Object.keys(kindWeights).map((k) => [k, prompts.filter((p) => p.kind === k)]));
  // A fixed order: kinds in proportion to their weights, the prompts of a kind in turn.
  const slots = Object.entries(kindWeights).flatMap(([kind, w]) => Array(w).fill(kind));
  if (!slots.length) throw new Error('MIX leaves no prompt kind with a weight above 0');
  return {
    prompts,
    at(n) {
      const kind = slots[n % slots.length];
      const group = byKind[kind];
      return group[Math.floor(n / slots.length) % group.length];
    },
  };
}
