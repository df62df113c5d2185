// `--profile` support for the benchmarks: Node flags that make a server process write a V8 CPU
// profile when it stops, and a reader that prints the profile's top frames (self and inclusive
// time) and writes an SVG flame graph beside it. Output goes under bench/out/ (not committed).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** A fresh directory for one benchmark's profiles, and the node flags that write into it. */
export function profileDir(name) {
  const dir = join(here, 'out', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return { dir, nodeArgs: (label) => ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${label}.cpuprofile`] };
}

const frameName = (cf) => {
  const file = cf.url ? relative(root, cf.url.replace(/^file:\/\//, '')) : '';
  return `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}` : ''}`;
};

/** Self and inclusive sample counts per frame name, and the call tree for the flame graph. */
function analyse(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { ...n, self: 0, total: 0 }]));
  for (const id of profile.samples) byId.get(id).self++;
  const parent = new Map();
  for (const n of byId.values()) for (const c of n.children ?? []) parent.set(c, n.id);
  const rootNode = profile.nodes.find((n) => !parent.has(n.id));
  const fill = (n) => {
    n.total = n.self + (n.children ?? []).reduce((s, c) => s + fill(byId.get(c)), 0);
    return n.total;
  };
  fill(byId.get(rootNode.id));
  const self = new Map();
  const incl = new Map();
  const walk = (n, onStack) => {
    const name = frameName(n.callFrame);
    self.set(name, (self.get(name) ?? 0) + n.self);
    // a recursive frame counts once in its own inclusive time
    if (!onStack.has(name)) incl.set(name, (incl.get(name) ?? 0) + n.total);
    const next = new Set(onStack).add(name);
    for (const c of n.children ?? []) walk(byId.get(c), next);
  };
  walk(byId.get(rootNode.id), new Set());
  return { byId, root: byId.get(rootNode.id), self, incl, samples: profile.samples.length };
}

/** Text lines of the top `n` frames by self time and by inclusive time. */
function topFrames(a, n) {
  // shares of the busy time: samples where the process waited for I/O are left out
  const busy = a.samples - (a.self.get('(idle)') ?? 0);
  const pct = (v) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`;
  const top = (m) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .filter(([k]) => k !== '(root)' && k !== '(idle)')
      .slice(0, n);
  return [
    `self time (share of ${busy} busy samples):`,
    ...top(a.self).map(([k, v]) => `  ${pct(v)}  ${k}`),
    'inclusive time:',
    ...top(a.incl)
      .filter(([k]) => !/^\((program|idle|garbage collector)\)/.test(k))
      .map(([k, v]) => `  ${pct(v)}  ${k}`),
  ];
}

const esc = (s) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** An SVG flame graph (root at the bottom, width = inclusive samples), frames under 0.2% left out. */
function flameSvg(a, title) {
  const width = 1200;
  const rowH = 16;
  const rects = [];
  let depthMax = 0;
  const place = (n, x, depth) => {
    const w = (n.total / a.root.total) * width;
    if (w < width * 0.002) return;
    depthMax = Math.max(depthMax, depth);
    rects.push({ x, w, depth, name: frameName(n.callFrame), total: n.total });
    let cx = x;
    for (const c of n.children ?? []) {
      const child = a.byId.get(c);
      place(child, cx, depth + 1);
      cx += (child.total / a.root.total) * width;
    }
  };
  place(a.root, 0, 0);
  const height = (depthMax + 1) * rowH + 30;
  const body = rects
    .map((r) => {
      const y = height - (r.depth + 1) * rowH;
      const hue = 20 + ((r.name.length * 37) % 40);
      const label = r.w > 40 ? `<text x="${(r.x + 3).toFixed(1)}" y="${y + 11}" font-size="10">${esc(r.name.slice(0, Math.floor(r.w / 6)))}</text>` : '';
      return `<g><title>${esc(r.name)} (${((100 * r.total) / a.root.total).toFixed(1)}%)</title><rect x="${r.x.toFixed(1)}" y="${y}" width="${Math.max(0.5, r.w - 0.5).toFixed(1)}" height="${rowH - 1}" fill="hsl(${hue},80%,60%)"/>${label}</g>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace"><text x="4" y="14" font-size="12">${esc(title)}</text>\n${body}\n</svg>\n`;
}

/** For every profile in `dir`: prints its top frames and writes `<profile>.svg` beside it. */
export function reportProfiles(dir, n = 15) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  for (const f of files) {
    const a = analyse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const svg = join(dir, `${basename(f, '.cpuprofile')}.svg`);
    writeFileSync(svg, flameSvg(a, `${f}: ${a.samples} samples`));
    console.log(`\nprofile ${relative(root, join(dir, f))} (${a.samples} samples; flame graph ${relative(root, svg)})`);
    for (const line of topFrames(a, n)) console.log(line);
  }
  if (files.length === 0) console.log(`\nno profiles were written under ${relative(root, dir)}`);
}
