/**
 * `/analytics` (`GET /v1/analytics`): the funnel from discovered jobs to
 * offers, and each tailoring strategy's response rate with its 95 % credible
 * interval, as hand-drawn SVG charts, each with its figures in a table.
 */
import { useQuery } from '@tanstack/react-query';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';

type Analytics = components['schemas']['Analytics'];

const STAGES: { key: keyof Analytics['funnel']; label: string }[] = [
  { key: 'discovered', label: 'Discovered' },
  { key: 'applied', label: 'Applied' },
  { key: 'responded', label: 'Responded' },
  { key: 'interview', label: 'Interview' },
  { key: 'offer', label: 'Offer' },
];

const STRATEGY_NAMES: Record<string, string> = {
  'keyword-first': 'Keyword-first',
  'impact-first': 'Impact-first',
  concise: 'Concise',
};

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

const LABEL_W = 110;
const CHART_W = 560;
const ROW_H = 34;

/** A chart's drawing: an image named by its `<title>`, which says in words what it shows. */
function ChartSvg(props: {
  id: string;
  title: ComponentChildren;
  height: number;
  children: ComponentChildren;
}) {
  return (
    <svg
      viewBox={`0 0 ${CHART_W} ${props.height}`}
      role="img"
      aria-labelledby={props.id}
      class="chart-svg"
    >
      <title id={props.id}>{props.title}</title>
      {props.children}
    </svg>
  );
}

/** A row's name on the chart's left axis, right-aligned against the bars. */
function RowLabel(props: { y: number; children: ComponentChildren }) {
  return (
    <text x={LABEL_W - 8} y={props.y} text-anchor="end" dominant-baseline="middle">
      {props.children}
    </text>
  );
}

function Funnel(props: { funnel: Analytics['funnel'] }) {
  const max = Math.max(1, ...STAGES.map((s) => props.funnel[s.key]));
  const barW = CHART_W - LABEL_W - 60;
  const height = STAGES.length * ROW_H + 8;
  return (
    <figure class="chart">
      <ChartSvg
        id="funnel-title"
        height={height}
        title={`Funnel: ${STAGES.map((s) => `${s.label.toLowerCase()} ${props.funnel[s.key]}`).join(', ')}`}
      >
        {STAGES.map((stage, i) => {
          const value = props.funnel[stage.key];
          const w = (value / max) * barW;
          const y = i * ROW_H + 4;
          return (
            <g key={stage.key}>
              <RowLabel y={y + ROW_H / 2}>{stage.label}</RowLabel>
              <rect
                x={LABEL_W}
                y={y + 4}
                width={Math.max(w, 2)}
                height={ROW_H - 10}
                rx={3}
                class={`bar bar-${i}`}
              />
              <text x={LABEL_W + Math.max(w, 2) + 6} y={y + ROW_H / 2} dominant-baseline="middle">
                {value}
              </text>
            </g>
          );
        })}
      </ChartSvg>
      <table class="table" aria-label="Funnel">
        <thead>
          <tr>
            {STAGES.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {STAGES.map((s) => (
              <td key={s.key}>{props.funnel[s.key]}</td>
            ))}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}

function Strategies(props: { strategies: Analytics['strategies'] }) {
  const { strategies } = props;
  const plotW = CHART_W - LABEL_W - 20;
  const x = (rate: number) => LABEL_W + rate * plotW;
  const height = strategies.length * ROW_H + 30;
  const level = strategies[0]?.interval.level ?? 0.95;
  return (
    <figure class="chart">
      <ChartSvg
        id="strategies-title"
        height={height}
        title={`Response rate by strategy: ${strategies
          .map(
            (s) =>
              `${STRATEGY_NAMES[s.strategy] ?? s.strategy} ${percent(s.responseRate)} (${percent(s.interval.lower)} to ${percent(s.interval.upper)})`,
          )
          .join(', ')}`}
      >
        {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={0} y2={height - 22} class="grid" />
            <text x={x(tick)} y={height - 6} text-anchor="middle" class="axis">
              {percent(tick)}
            </text>
          </g>
        ))}
        {strategies.map((s, i) => {
          const y = i * ROW_H + ROW_H / 2 + 2;
          return (
            <g key={s.strategy}>
              <RowLabel y={y}>{STRATEGY_NAMES[s.strategy] ?? s.strategy}</RowLabel>
              <line
                x1={x(s.interval.lower)}
                x2={x(s.interval.upper)}
                y1={y}
                y2={y}
                class="interval"
              />
              <line
                x1={x(s.interval.lower)}
                x2={x(s.interval.lower)}
                y1={y - 6}
                y2={y + 6}
                class="interval"
              />
              <line
                x1={x(s.interval.upper)}
                x2={x(s.interval.upper)}
                y1={y - 6}
                y2={y + 6}
                class="interval"
              />
              <circle cx={x(s.responseRate)} cy={y} r={6} class="estimate" />
            </g>
          );
        })}
      </ChartSvg>
      <figcaption class="muted">
        The dot is the estimated response rate; the line its {percent(level)} credible interval.
        With few applications the interval is wide: the estimate leans on the prior.
      </figcaption>
      <table class="table" aria-label="Response rate by strategy">
        <thead>
          <tr>
            <th scope="col">Strategy</th>
            <th scope="col">Applications</th>
            <th scope="col">Responses</th>
            <th scope="col">Observed</th>
            <th scope="col">Estimated rate</th>
            <th scope="col">{percent(level)} interval</th>
          </tr>
        </thead>
        <tbody>
          {strategies.map((s) => (
            <tr key={s.strategy}>
              <th scope="row">{STRATEGY_NAMES[s.strategy] ?? s.strategy}</th>
              <td>{s.applications}</td>
              <td>{s.responses}</td>
              <td>{s.observedRate === null ? '—' : percent(s.observedRate)}</td>
              <td>{percent(s.responseRate)}</td>
              <td>
                {percent(s.interval.lower)}–{percent(s.interval.upper)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export default function AnalyticsPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const analytics = useQuery({
    queryKey: ['analytics'],
    queryFn: () => call(api.GET('/v1/analytics')),
    refetchInterval: 10_000,
  });
  let body: preact.ComponentChildren;
  if (analytics.isPending) body = <Loading label="Loading your analytics" />;
  else if (analytics.error && !analytics.data) {
    body = <ErrorNotice error={analytics.error} title="Could not load your analytics" />;
  } else {
    const { funnel, strategies } = analytics.data;
    body = (
      <>
        {analytics.error && <ErrorNotice error={analytics.error} title="Could not refresh" />}
        <section class="panel" aria-labelledby="funnel-heading">
          <h2 id="funnel-heading">Funnel</h2>
          {funnel.discovered === 0 ? (
            <p class="empty" role="status">
              No jobs yet. <Link href="/sources">Follow a board</Link> to start the funnel.
            </p>
          ) : (
            <Funnel funnel={funnel} />
          )}
        </section>
        <section class="panel" aria-labelledby="strategies-heading">
          <h2 id="strategies-heading">Response rate by strategy</h2>
          {strategies.length === 0 ? (
            <p class="empty">No strategies.</p>
          ) : (
            <>
              {strategies.every((s) => s.applications === 0) && (
                <p class="empty" role="status">
                  No submitted application has an answer yet: the rates below are the prior.
                </p>
              )}
              <Strategies strategies={strategies} />
            </>
          )}
        </section>
      </>
    );
  }
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Analytics
      </h1>
      {body}
    </main>
  );
}
