// The subset of rtpengine's ng protocol that holdfast speaks (docs/ng_control_protocol.md
// in sipwise/rtpengine). Dictionaries are bencoded on the wire; strings come back decoded.
import type { Bencodable } from 'rtpengine-client';

export type NgCommand =
  | 'ping'
  | 'offer'
  | 'answer'
  | 'delete'
  | 'query'
  | 'list'
  | 'block media'
  | 'unblock media'
  | 'play media'
  | 'stop media'
  | 'statistics';

export type NgParams = Record<string, Bencodable>;

export interface NgStreamStats {
  packets: number;
  bytes: number;
  errors: number;
}

export interface NgStream {
  'local port'?: number;
  endpoint?: { family: string; address: string; port: number };
  'advertised endpoint'?: { family: string; address: string; port: number };
  'last packet'?: number;
  flags?: string[];
  stats: NgStreamStats;
}

export interface NgMedia {
  index: number;
  type: string;
  protocol?: string;
  flags?: string[];
  streams: NgStream[];
}

export interface NgTag {
  tag: string;
  label?: string;
  created?: number;
  'in dialogue with'?: string;
  medias: NgMedia[];
}

export interface NgReply {
  result: 'ok' | 'pong' | 'error' | string;
  'error-reason'?: string;
  warning?: string;
  sdp?: string;
  /** play media: the file's length in ms when rtpengine could tell. */
  duration?: number;
  tags?: Record<string, NgTag>;
  [key: string]: unknown;
}
