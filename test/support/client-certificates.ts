/**
 * A certificate authority and client certificates it signs (openssl), for TLS servers that require client
 * certificates in tests. Keys may be encrypted with a password (legacy PEM encryption, as k6's tlsAuth takes).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

export function certificateAuthority(dir: string, name: string): CertificateFiles {
  const files = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  openssl([
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`],
    ...['-keyout', files.keyPath, '-out', files.certPath],
  ]);
  return files;
}

/** A client certificate with common name `name` signed by `ca`; its key encrypted when `password` is given. */
export function clientCertificate(
  dir: string,
  ca: CertificateFiles,
  name: string,
  password?: string,
): CertificateFiles {
  const files = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const plainKey = join(dir, `${name}.plain.key`);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', plainKey, '-out', csr]);
  openssl([
    ...['x509', '-req', '-in', csr, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-CAcreateserial'],
    ...['-days', '1', '-out', files.certPath],
  ]);
  openssl(
    password === undefined
      ? ['rsa', '-in', plainKey, '-out', files.keyPath]
      : [
          'rsa',
          '-in',
          plainKey,
          '-aes256',
          '-traditional',
          '-passout',
          `pass:${password}`,
          '-out',
          files.keyPath,
        ],
  );
  return files;
}

/** The key of a client certificate made above, encrypted with `password` as PKCS#8 (which k6 does not open). */
export function pkcs8EncryptedKey(dir: string, name: string, password: string): string {
  const path = join(dir, `${name}.pkcs8.key`);
  openssl([
    ...['pkcs8', '-topk8', '-in', join(dir, `${name}.plain.key`), '-v2', 'aes256'],
    ...['-passout', `pass:${password}`, '-out', path],
  ]);
  return path;
}
