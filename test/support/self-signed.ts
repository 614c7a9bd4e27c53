/** A self-signed certificate for 127.0.0.1 (openssl), for TLS servers in tests. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function selfSignedCertificate(
  dir: string,
): Promise<{ key: Buffer; cert: Buffer; keyPath: string; certPath: string }> {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    ],
    { stdio: 'ignore' },
  );
  return { key: await readFile(keyPath), cert: await readFile(certPath), keyPath, certPath };
}
