// The desktop-redirection signal. In a remote virtual desktop with multimedia redirection,
// the redirection layer replaces navigator.mediaDevices: it sets isCallRedirectionEnabled
// and fires `rdpClientConnectionStateChanged` (a CustomEvent, detail.state "connected" or
// "disconnected") when the agent's local PC loses or regains the remote session. After a
// loss the page's local WebRTC objects are gone; after a reconnect it must build new ones.
// This module only reads the signal; what to do about it is desktop-recovery.ts.

export const REDIRECTION_EVENT = 'rdpClientConnectionStateChanged';

export type DesktopState = 'connected' | 'disconnected';

interface RedirectedMediaDevices extends MediaDevices {
  isCallRedirectionEnabled?: boolean;
}

/** Whether the browser's media is redirected to the agent's local PC. */
export function redirectionActive(): boolean {
  const devices = navigator.mediaDevices as RedirectedMediaDevices | undefined;
  return devices?.isCallRedirectionEnabled === true;
}

/** The state an event carries, or undefined for anything else (ignored, never thrown on). */
export function stateOf(event: Event): DesktopState | undefined {
  const state = (event as CustomEvent<{ state?: unknown } | undefined>).detail?.state;
  return state === 'connected' || state === 'disconnected' ? state : undefined;
}

/**
 * Calls `onChange` for each state change the redirection layer reports (repeats of the
 * same state are dropped). Returns a function that stops listening.
 */
export function watchDesktop(onChange: (state: DesktopState) => void): () => void {
  const devices = navigator.mediaDevices;
  if (!devices) return () => {};
  let last: DesktopState = 'connected';
  const listener = (event: Event) => {
    const state = stateOf(event);
    if (!state || state === last) return;
    last = state;
    onChange(state);
  };
  devices.addEventListener(REDIRECTION_EVENT, listener);
  return () => devices.removeEventListener(REDIRECTION_EVENT, listener);
}
