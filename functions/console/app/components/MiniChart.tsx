import { type Box, niceCeiling, pathOf, pointsOf } from '../chart.ts';
import { clockTime } from '../time.ts';

const BOX: Box = { width: 240, height: 64, inset: 3 };

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly number[];
  /** The line's look, a class of styles.css (`line-a`, `line-b`). */
  readonly tone: 'a' | 'b';
}

/**
 * A small line chart of one system's last minutes: two series on one scale from zero, as inline
 * SVG. Its numbers (the scale's top, the first and last minute, each series' latest value) are
 * text beside it, and the SVG has a text alternative, so it reads without seeing the lines.
 */
export function MiniChart(props: {
  title: string;
  /** The values' unit (`ms`), or `''` for counts. */
  unit: string;
  minutes: readonly string[];
  series: readonly ChartSeries[];
}) {
  const { series, unit } = props;
  const top = niceCeiling(Math.max(0, ...series.flatMap((line) => line.values)));
  const latest = (line: ChartSeries) => line.values[line.values.length - 1] ?? 0;
  const peak = (line: ChartSeries) => Math.max(0, ...line.values);
  const withUnit = (value: number) => (unit ? `${value} ${unit}` : String(value));
  const described = series
    .map((line) => `${line.label}: now ${withUnit(latest(line))}, highest ${withUnit(peak(line))}`)
    .join('; ');
  const first = props.minutes[0];
  const last = props.minutes[props.minutes.length - 1];
  return (
    <figure class="chart">
      <figcaption>
        {props.title} <span class="muted">(per minute, scale 0 to {withUnit(top)})</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={`${props.title}, last ${props.minutes.length} minutes. ${described}.`}
        preserveAspectRatio="none"
      >
        <line
          class="axis"
          x1={BOX.inset}
          x2={BOX.width - BOX.inset}
          y1={BOX.height - BOX.inset}
          y2={BOX.height - BOX.inset}
        />
        {series.map((line) => (
          <path
            key={line.label}
            class={`line line-${line.tone}`}
            d={pathOf(pointsOf(line.values, top, BOX))}
            vector-effect="non-scaling-stroke"
          />
        ))}
      </svg>
      <div class="chart-foot muted">
        <span>{first ? clockTime(first) : ''}</span>
        <span>{last ? clockTime(last) : ''}</span>
      </div>
      <ul class="legend">
        {series.map((line) => (
          <li key={line.label}>
            <span class={`swatch line-${line.tone}`} aria-hidden="true" />
            {line.label}: <strong>{latest(line)}</strong>
            {unit ? ` ${unit}` : ''} now
          </li>
        ))}
      </ul>
    </figure>
  );
}
