import { useId } from "react";

export interface Series {
  key: string;
  label: string;
  color: string;
}

/**
 * A stacked bar chart in plain SVG, with a table of the same figures for screen readers
 * (the SVG is decorative to them).
 */
export function StackedBarChart({ title, days, series, values }: { title: string; days: string[]; series: Series[]; values: Record<string, Record<string, number>> }) {
  const id = useId();
  const width = 600;
  const height = 220;
  const pad = { top: 12, right: 8, bottom: 26, left: 36 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const totals = days.map((d) => series.reduce((sum, s) => sum + (values[d]?.[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const barW = innerW / days.length;
  const labelEvery = Math.ceil(days.length / 8);
  return (
    <figure className="chart-figure" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} className="visually-hidden">
        {title}
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
        {Array.from({ length: top / step + 1 }, (_, i) => i * step).map((v) => {
          const y = pad.top + innerH - (v / top) * innerH;
          return (
            <g key={v}>
              <line x1={pad.left} x2={width - pad.right} y1={y} y2={y} stroke="#e3e6e1" />
              <text x={pad.left - 6} y={y + 4} textAnchor="end" fontSize="12" fill="#5b655f">
                {v}
              </text>
            </g>
          );
        })}
        {days.map((d, i) => {
          let y = pad.top + innerH;
          const x = pad.left + i * barW + barW * 0.15;
          return (
            <g key={d}>
              {series.map((s) => {
                const v = values[d]?.[s.key] ?? 0;
                if (v === 0) return null;
                const h = (v / top) * innerH;
                y -= h;
                return (
                  <rect key={s.key} x={x} y={y} width={Math.max(1, barW * 0.7)} height={h} fill={s.color} rx={1.5}>
                    <title>{`${d}: ${v} ${s.label.toLowerCase()}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={x + barW * 0.35} y={height - 8} textAnchor="middle" fontSize="12" fill="#5b655f">
                  {d.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.key}>
            <span className="swatch" style={{ background: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
      {/* Tables ignore a 1px height, so the hiding wrapper is a div. */}
      <div className="visually-hidden">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days
            .filter((_, i) => totals[i]! > 0)
            .map((d) => (
              <tr key={d}>
                <th scope="row">{d}</th>
                {series.map((s) => (
                  <td key={s.key}>{values[d]?.[s.key] ?? 0}</td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}

function niceStep(max: number): number {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const n = rough / pow;
  const nice = n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10;
  return Math.max(1, nice * pow);
}

/** Horizontal bars, one per category, with the numbers written out. */
export function OutcomeBars({ title, rows }: { title: string; rows: { label: string; value: number; color: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <figure className="outcomes" aria-label={title}>
      <ul className="outcome-list">
        {rows.map((r) => (
          <li key={r.label}>
            <span className="outcome-label">{r.label}</span>
            <span className="outcome-track" aria-hidden="true">
              <span className="outcome-bar" style={{ width: `${(r.value / max) * 100}%`, background: r.color }} />
            </span>
            <span className="outcome-value">{r.value.toLocaleString("en")}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
