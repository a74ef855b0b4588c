// The board's DOM: episodes, calls, agents and recently ended episodes, built from the
// BoardState with textContent only (a customer's number is SIP input, never markup).
// Times that run (elapsed, countdowns) carry their reference in data- attributes and are
// updated by tick() between messages.
import type {
  AgentView,
  BoardState,
  CallView,
  EpisodeEnd,
  EpisodeView,
  GatewayEventView,
} from './board-state';
import { clockTime, duration, endText, EVIDENCE_TEXT, shortId, SITUATION_TEXT } from './format';

type Child = Node | string | undefined | false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c) e.append(c);
  return e;
}

/** A time that runs: since `t0` (elapsed) or until `deadline` (countdown). */
function running(kind: 'since' | 'until', at: number, now: number): HTMLElement {
  const e = h('span', { class: `running ${kind}`, [`data-${kind}`]: String(at) });
  e.textContent = kind === 'since' ? duration(now - at) : left(at - now);
  return e;
}

/** A countdown's text: what is left, or that the deadline has passed. */
function left(ms: number): string {
  return ms > 0 ? duration(ms) : 'elapsed';
}

function countdown(label: string, which: string, t0: number, at: number, now: number) {
  const bar = h('span', { class: 'bar-fill' });
  const row = h(
    'div',
    { class: 'countdown', 'data-deadline': which, 'data-t0': String(t0), 'data-at': String(at) },
    h('span', { class: 'label' }, label),
    h('span', { class: 'bar' }, bar),
    h('span', { class: 'remaining' }, running('until', at, now)),
  );
  fillBar(row, now);
  return row;
}

function fillBar(row: HTMLElement, now: number): void {
  const t0 = Number(row.dataset.t0);
  const at = Number(row.dataset.at);
  const left = Math.max(0, Math.min(1, (at - now) / Math.max(1, at - t0)));
  const fill = row.querySelector<HTMLElement>('.bar-fill');
  if (fill) fill.style.width = `${(left * 100).toFixed(1)}%`;
  row.classList.toggle('elapsed', now >= at);
}

function episodeCard(e: EpisodeView, now: number): HTMLElement {
  return h(
    'article',
    { class: `episode ${e.situation}`, 'data-agent': e.agentId },
    h(
      'header',
      {},
      h('strong', { class: 'agent' }, e.agentId),
      h('span', { class: 'evidence', title: e.evidence }, EVIDENCE_TEXT[e.evidence] ?? e.evidence),
      h('span', { class: 'situation' }, SITUATION_TEXT[e.situation] ?? e.situation),
    ),
    h(
      'div',
      { class: 'elapsed' },
      'gone for ',
      running('since', e.t0, now),
      ` (since ${clockTime(e.t0)})`,
    ),
    countdown('Reconnect window', 'reconnectWindow', e.t0, e.deadlinesAt.reconnectWindow, now),
    countdown('Presence timeout', 'presenceTimeout', e.t0, e.deadlinesAt.presenceTimeout, now),
    h(
      'div',
      { class: 'episode-calls' },
      e.calls.length
        ? e.calls.map((c) => `call ${shortId(c.callId)} (${c.role})`).join(', ')
        : 'no call',
    ),
  );
}

function legChip(l: CallView['legs'][number]): HTMLElement {
  const who = l.role === 'customer' ? 'customer' : `${l.role} ${l.agentId ?? ''}`.trim();
  return h('span', { class: `leg ${l.state}`, title: l.tag }, `${who} · ${l.state}`);
}

function callRow(c: CallView, now: number): HTMLElement {
  const flags = [
    c.held ? 'held' : '',
    c.muted ? 'muted' : '',
    c.priority ? `prio ${c.priority}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    'tr',
    { 'data-call': c.id },
    h('td', { class: 'mono', title: c.id }, shortId(c.id)),
    h('td', {}, c.from),
    h(
      'td',
      {},
      h('span', { class: `pill call-${c.state}` }, c.state),
      c.gone && h('span', { class: 'gone' }, ` ${c.gone}`),
    ),
    h('td', {}, c.phase),
    h('td', {}, c.agentId ?? '—'),
    h('td', { class: 'flags' }, flags),
    h('td', { class: 'num' }, running('since', c.startedAt, now)),
    h('td', { class: 'legs' }, ...c.legs.map(legChip)),
  );
}

function agentRow(a: AgentView, now: number): HTMLElement {
  const on = a.engagements.map((e) => `${shortId(e.callId)} ${e.role} (${e.legState})`).join(', ');
  return h(
    'tr',
    { 'data-agent': a.id },
    h('td', {}, a.id),
    h('td', {}, h('span', { class: `pill agent-${a.status}` }, a.status)),
    h('td', { class: 'num' }, running('since', a.since, now)),
    h('td', {}, a.transport ?? '—'),
    h('td', { class: 'mono' }, on || '—'),
  );
}

function endedItem(e: EpisodeEnd): HTMLElement {
  return h(
    'li',
    { 'data-agent': e.agentId },
    h('strong', {}, e.agentId),
    ` · ${EVIDENCE_TEXT[e.evidence] ?? e.evidence} · ${endText(e.situation)} after `,
    h('span', { class: 'took' }, duration(e.endedAt - e.t0)),
    ` · ${clockTime(e.endedAt)}`,
    e.agentStatus ? ` · now ${e.agentStatus}` : '',
  );
}

function eventItem(e: GatewayEventView): HTMLElement {
  const who = [e.agentId && `agent ${e.agentId}`, e.callId && `call ${shortId(e.callId)}`]
    .filter(Boolean)
    .join(' · ');
  return h(
    'li',
    { 'data-type': e.type },
    h('span', { class: 'when' }, clockTime(Date.parse(e.at))),
    ' ',
    h('strong', {}, e.type),
    who ? ` · ${who}` : '',
  );
}

function fill(container: HTMLElement, rows: HTMLElement[], empty: string, cols = 0): void {
  if (rows.length) container.replaceChildren(...rows);
  else if (cols)
    container.replaceChildren(
      h('tr', {}, h('td', { colspan: String(cols), class: 'empty' }, empty)),
    );
  else container.replaceChildren(h('p', { class: 'empty' }, empty));
}

function byStart<T>(key: (t: T) => number) {
  return (a: T, b: T) => key(a) - key(b);
}

export interface BoardElements {
  episodes: HTMLElement;
  calls: HTMLElement;
  agents: HTMLElement;
  ended: HTMLElement;
  events: HTMLElement;
  counts: HTMLElement;
}

export function render(el: BoardElements, s: BoardState): void {
  const now = s.serverNow();
  const episodes = [...s.episodes.values()].sort(byStart((e) => e.t0));
  const calls = [...s.calls.values()].sort(byStart((c) => c.startedAt));
  const agents = [...s.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  fill(
    el.episodes,
    episodes.map((e) => episodeCard(e, now)),
    'No agent is disconnected.',
  );
  fill(
    el.calls,
    calls.map((c) => callRow(c, now)),
    'No call in progress.',
    8,
  );
  fill(
    el.agents,
    agents.map((a) => agentRow(a, now)),
    'No agent configured.',
    5,
  );
  if (s.ended.length) el.ended.replaceChildren(...s.ended.map(endedItem));
  else el.ended.replaceChildren(h('li', { class: 'empty' }, 'none yet'));
  if (s.events.length) el.events.replaceChildren(...s.events.map(eventItem));
  else el.events.replaceChildren(h('li', { class: 'empty' }, 'none yet'));
  const available = agents.filter((a) => a.status === 'available').length;
  el.counts.textContent =
    `${calls.length} call${calls.length === 1 ? '' : 's'} · ` +
    `${available}/${agents.length} agents available · ` +
    `${episodes.length} disconnected`;
}

/** Updates every running time and bar, without rebuilding anything. */
export function tick(root: HTMLElement, now: number): void {
  for (const e of root.querySelectorAll<HTMLElement>('.running.since'))
    e.textContent = duration(now - Number(e.dataset.since));
  for (const e of root.querySelectorAll<HTMLElement>('.running.until'))
    e.textContent = left(Number(e.dataset.until) - now);
  for (const row of root.querySelectorAll<HTMLElement>('.countdown')) fillBar(row, now);
}
