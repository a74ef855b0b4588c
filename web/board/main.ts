// The operations board: asks for the admin token, reads GET /v1/events (a `snapshot`, then
// `changes`, and the gateway's own `event`s) and shows calls, agents and disconnect
// episodes with their countdowns. The
// token stays in this tab (sessionStorage) and travels only in the Authorization header:
// never in a URL, where it would end up in logs.
import { EventStream } from '../shared/event-stream';
import {
  BoardState,
  type ChangesMessage,
  type GatewayEventView,
  type SnapshotMessage,
} from './board-state';
import { clockTime } from './format';
import { render, tick, type BoardElements } from './render';

const TOKEN_KEY = 'holdfast.adminToken';

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

const ui = {
  loginPanel: el('login-panel'),
  loginForm: el<HTMLFormElement>('login'),
  loginError: el('login-error'),
  board: el('board'),
  stream: el('stream'),
  clock: el('server-clock'),
  logout: el<HTMLButtonElement>('logout'),
};

const sections: BoardElements = {
  episodes: el('episodes'),
  calls: el('calls'),
  agents: el('agents'),
  ended: el('ended'),
  events: el('events'),
  counts: el('counts'),
};

class Board {
  state = new BoardState();
  private stream?: EventStream;
  /** The stream's state, for the page and the browser tests. */
  connection: 'closed' | 'open' | 'retrying' = 'closed';

  constructor() {
    ui.loginForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const token = String(new FormData(ui.loginForm).get('token') ?? '').trim();
      if (token) this.start(token);
    });
    ui.logout.onclick = () => this.stop('logged out');
    setInterval(() => this.tick(), 200);
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) this.start(saved);
  }

  private start(token: string): void {
    this.stream?.stop();
    this.state = new BoardState();
    sessionStorage.setItem(TOKEN_KEY, token);
    ui.loginError.hidden = true;
    const stream: EventStream = new EventStream({
      open: async (signal) => {
        const res = await fetch('/v1/events', {
          headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
          signal,
          cache: 'no-store',
        });
        // A refused token will not get better by retrying.
        if (res.status === 401 || res.status === 403) {
          const body = (await res.json().catch(() => ({}))) as { message?: string };
          this.stop(`the token was refused: ${body.message ?? res.status}`);
        }
        return res;
      },
      onEvent: (e) => {
        if (e.event === 'snapshot') this.state.applySnapshot(e.data as SnapshotMessage);
        else if (e.event === 'changes') this.state.applyChanges(e.data as ChangesMessage);
        else if (e.event === 'event') this.state.applyEvent(e.data as GatewayEventView);
        else return;
        render(sections, this.state);
      },
      onState: (s, why) => this.setStream(s, why),
    });
    this.stream = stream;
    this.setStream('retrying', 'connecting…');
    ui.loginPanel.hidden = true;
    ui.board.hidden = false;
    ui.logout.hidden = false;
  }

  private stop(why: string): void {
    this.stream?.stop();
    this.stream = undefined;
    sessionStorage.removeItem(TOKEN_KEY);
    this.setStream('closed', why);
    ui.board.hidden = true;
    ui.logout.hidden = true;
    ui.loginPanel.hidden = false;
    ui.loginError.textContent = why === 'logged out' ? '' : why;
    ui.loginError.hidden = why === 'logged out';
  }

  private setStream(s: Board['connection'], why?: string): void {
    if (!this.stream && s !== 'closed') return; // a late report from a stopped stream
    this.connection = s;
    ui.stream.textContent =
      s === 'open' ? 'live' : s === 'retrying' ? `reconnecting (${why ?? ''})` : 'not connected';
    ui.stream.className = `badge ${s === 'open' ? 'ok' : s === 'retrying' ? 'warn' : ''}`;
  }

  private tick(): void {
    if (!this.stream) return;
    const now = this.state.serverNow();
    ui.clock.textContent = clockTime(now);
    tick(ui.board, now);
  }
}

declare global {
  interface Window {
    holdfastBoard?: Board;
  }
}

window.holdfastBoard = new Board();
