// The page's DOM: element lookup and small render helpers. No logic about calls here.

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

export const view = {
  loginPanel: el('login-panel'),
  loginForm: el<HTMLFormElement>('login'),
  loginError: el('login-error'),
  agentPanel: el('agent-panel'),
  agentName: el('agent-name'),
  availability: el<HTMLButtonElement>('availability'),
  logout: el<HTMLButtonElement>('logout'),
  redirection: el('redirection'),
  desktop: el('desktop'),
  sip: el('sip'),
  status: el('status'),
  call: el('call'),
  callState: el('call-state'),
  callFrom: el('call-from'),
  callFlags: el('call-flags'),
  ringActions: el('ring-actions'),
  callActions: el('call-actions'),
  transferActions: el('transfer-actions'),
  answer: el<HTMLButtonElement>('answer'),
  decline: el<HTMLButtonElement>('decline'),
  hold: el<HTMLButtonElement>('hold'),
  mute: el<HTMLButtonElement>('mute'),
  hangup: el<HTMLButtonElement>('hangup'),
  meterOut: el('meter-out'),
  meterIn: el('meter-in'),
  notifications: el('notifications'),
  events: el('events'),
  audio: el<HTMLAudioElement>('remote-audio'),
};

export type BadgeTone = 'ok' | 'bad' | 'warn' | 'plain';

export function badge(e: HTMLElement, text: string, tone: BadgeTone): void {
  e.textContent = text;
  e.className = `badge${tone === 'plain' ? '' : ' ' + tone}`;
}

/** A meter bar from a dBFS level: −60 dB (empty) … 0 dB (full). */
export function meter(e: HTMLElement, levelDb: number): void {
  const pct = Math.max(0, Math.min(100, ((levelDb + 60) / 60) * 100));
  e.style.width = `${pct.toFixed(0)}%`;
}

export function logEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  view.events.prepend(li);
  while (view.events.children.length > 200) view.events.lastElementChild?.remove();
}

export function addNotification(text: string): void {
  view.notifications.querySelector('.empty')?.remove();
  const li = document.createElement('li');
  li.textContent = text;
  view.notifications.prepend(li);
  while (view.notifications.children.length > 50) view.notifications.lastElementChild?.remove();
}

export interface CallView {
  phase: 'idle' | 'ringing' | 'connecting' | 'connected' | 'reconnecting' | 'ended';
  from?: string;
  held?: boolean;
  muted?: boolean;
  note?: string;
}

const PHASE_TEXT: Record<CallView['phase'], string> = {
  idle: 'No call',
  ringing: 'Incoming call',
  connecting: 'Connecting…',
  connected: 'In call',
  reconnecting: 'Desktop disconnected — the customer hears a wait message',
  ended: 'Call ended',
};

export function renderCall(c: CallView): void {
  view.call.className = `call ${c.phase}`;
  view.call.dataset.phase = c.phase;
  view.callState.textContent = PHASE_TEXT[c.phase] + (c.note ? ` (${c.note})` : '');
  view.callFrom.textContent = c.from ? `from ${c.from}` : '';
  const flags = [c.held ? 'ON HOLD' : '', c.muted ? 'MUTED' : ''].filter(Boolean);
  view.callFlags.textContent = flags.join(' · ');
  view.ringActions.hidden = c.phase !== 'ringing';
  const inCall = c.phase === 'connected' || c.phase === 'reconnecting';
  view.callActions.hidden = !inCall;
  view.transferActions.hidden = !inCall;
  view.hold.textContent = c.held ? 'Resume' : 'Hold';
  view.hold.classList.toggle('on', !!c.held);
  view.mute.textContent = c.muted ? 'Unmute' : 'Mute';
  view.mute.classList.toggle('on', !!c.muted);
  view.hold.disabled = view.mute.disabled = c.phase !== 'connected';
  // Going offline would end the call: not while there is one.
  view.availability.disabled = c.phase !== 'idle' && c.phase !== 'ended';
}
