// A throwaway self-signed certificate for 127.0.0.1, made with openssl at test time in a
// temp dir that is removed on teardown. It is its own CA: pass `cert` as `ca` to trust it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Teardownable } from './sipp';

export interface TestCert {
  keyFile: string;
  certFile: string;
  key: Buffer;
  cert: Buffer;
}

export function makeTestCert(t: Teardownable): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
