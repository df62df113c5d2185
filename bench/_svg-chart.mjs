// Small SVG charts for the benchmark READMEs: a line chart of series over x (log scale when the
// points span more than a factor of 20) and a grouped bar chart. No dependencies; plain SVG text.

const W = 420;
const H = 240;
const PAD = { l: 64, r: 24, t: 28, b: 44 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

const esc = (s) => String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** A short number: 1200 -> 1.2k, 3000000 -> 3M. */
export function short(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return String(Math.round(v));
  return String(+v.toFixed(2));
}

function frame(title, yLabel, xLabel) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    `<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
    `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`,
  ];
}

function yAxis(out, yMax) {
  const plotH = H - PAD.t - PAD.b;
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = PAD.t + plotH - (plotH * i) / 4;
    out.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.l - 4}" y="${y + 4}" text-anchor="end">${short(v)}</text>`);
  }
}

function legend(out, names) {
  names.forEach((name, i) => {
    const x = PAD.l + 8 + i * 110;
    out.push(`<rect x="${x}" y="${PAD.t + 2}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${x + 14}" y="${PAD.t + 11}">${esc(name)}</text>`);
  });
}

/** series: [{ name, points: [[x, y], ...] }]; points with a non-finite y are left out. */
export function lineChart({ title, xLabel, yLabel, series }) {
  const pts = series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xs = pts.map(([x]) => x);
  const yMax = Math.max(...pts.map(([, y]) => y), 0) * 1.1 || 1;
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const log = xMin > 0 && xMax / xMin > 20;
  const fx = (x) => (log ? Math.log10(x) : x);
  const span = fx(xMax) - fx(xMin) || 1;
  const plotW = W - PAD.l - PAD.r;
  const plotH = H - PAD.t - PAD.b;
  const px = (x) => PAD.l + (xs.length < 2 || span === 0 ? plotW / 2 : ((fx(x) - fx(xMin)) / span) * plotW);
  const py = (y) => PAD.t + plotH - (y / yMax) * plotH;
  const out = frame(title, yLabel, `${xLabel}${log ? ' (log)' : ''}`);
  yAxis(out, yMax);
  for (const x of [...new Set(xs)]) out.push(`<text x="${px(x)}" y="${H - PAD.b + 14}" text-anchor="middle">${short(x)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.filter(([, y]) => Number.isFinite(y));
    const color = COLORS[i % COLORS.length];
    if (p.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${p.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of p) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}: ${short(y)}`)}</title></circle>`);
  });
  legend(
    out,
    series.map((s) => s.name),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** groups: ['label', ...]; series: [{ name, values: [one per group] }]. */
export function barChart({ title, yLabel, xLabel = '', groups, series }) {
  const yMax = Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite)), 0) * 1.15 || 1;
  const plotW = W - PAD.l - PAD.r;
  const plotH = H - PAD.t - PAD.b;
  const gw = plotW / groups.length;
  const bw = (gw * 0.7) / series.length;
  const out = frame(title, yLabel, xLabel);
  yAxis(out, yMax);
  groups.forEach((g, gi) => {
    out.push(`<text x="${PAD.l + gw * gi + gw / 2}" y="${H - PAD.b + 14}" text-anchor="middle">${esc(g)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[gi];
      if (!Number.isFinite(v)) return;
      const h = (v / yMax) * plotH;
      const x = PAD.l + gw * gi + gw * 0.15 + bw * si;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${(PAD.t + plotH - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.name}: ${short(v)}`)}</title></rect>`,
      );
      out.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(PAD.t + plotH - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${short(v)}</text>`);
    });
  });
  legend(
    out,
    series.map((s) => s.name),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
