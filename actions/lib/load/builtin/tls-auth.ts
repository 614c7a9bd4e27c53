/**
 * k6's `tlsAuth` option: client certificates for TLS servers that require one. A host is presented the first entry
 * whose `domains` name it (exact names, or `*.example.com` for one label under a domain), as k6 documents; failing
 * that, the first entry, as k6 really does: its `domains` never reach Go's TLS client, which presents the first
 * certificate the server accepts to any host (grafana/k6#5153), so a script that works with k6 works here. (Node
 * does not show the client the server's acceptable CAs, so the choice cannot also be made by issuer.)
 */
import { createSecureContext } from 'node:tls';
import { buildConnector } from 'undici';

export interface ClientCertificate {
  domains: string[];
  cert: string;
  key: string;
  passphrase?: string;
}

const fields = new Set(['domains', 'cert', 'key', 'password']);

/** The option as k6 takes it, checked field by field; the certificate and key must load and match. */
export function parseTlsAuth(value: unknown): ClientCertificate[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error('tlsAuth: expected a list of { domains, cert, key, password }');
  return value.map((entry: unknown, i) => {
    const at = `tlsAuth[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw new Error(`${at}: expected an object with cert and key`);
    const given = entry as Record<string, unknown>;
    const unknown = Object.keys(given).find((k) => !fields.has(k));
    if (unknown) throw new Error(`${at}.${unknown}: unknown field (domains, cert, key, password)`);
    const { domains = [], cert, key, password } = given;
    if (!Array.isArray(domains) || domains.some((d) => typeof d !== 'string'))
      throw new Error(`${at}.domains: expected a list of host names`);
    if (typeof cert !== 'string' || !cert.includes('-----BEGIN'))
      throw new Error(`${at}.cert: expected a PEM certificate`);
    if (typeof key !== 'string' || !key.includes('-----BEGIN'))
      throw new Error(`${at}.key: expected a PEM private key`);
    if (password !== undefined && password !== null && typeof password !== 'string')
      throw new Error(`${at}.password: expected a string`);
    if (typeof password === 'string') keyOpensWithPassword(key, at);
    const certificate: ClientCertificate = {
      domains: domains as string[],
      cert,
      key,
      ...(typeof password === 'string' ? { passphrase: password } : {}),
    };
    try {
      createSecureContext(certificate);
    } catch (error) {
      throw new Error(`${at}: the certificate and key do not load (${(error as Error).message})`);
    }
    return certificate;
  });
}

/**
 * k6 opens a key with its password only as a legacy encrypted PEM block (Proc-Type and DEK-Info headers, as
 * `openssl rsa -traditional -aes256` writes): it refuses encrypted PKCS#8 and a password given for a plain key.
 * Node would open both, so they are refused here too, for a script that works here to work with k6.
 */
function keyOpensWithPassword(key: string, at: string): void {
  if (key.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----'))
    throw new Error(
      `${at}.key: encrypted pkcs8 formatted key is not supported (k6 opens a legacy encrypted PEM key, as openssl rsa -traditional writes)`,
    );
  if (!/^Proc-Type: 4,ENCRYPTED$/m.test(key))
    throw new Error(`${at}.password: the key is not encrypted (k6: x509: no DEK-Info header in block)`);
}

function namedFor(certificate: ClientCertificate, host: string): boolean {
  const name = host.toLowerCase();
  return certificate.domains.some((domain) => {
    const d = domain.toLowerCase();
    if (!d.startsWith('*.')) return d === name;
    const dot = name.indexOf('.');
    return dot > 0 && name.slice(dot) === d.slice(1);
  });
}

/** An undici connector presenting to each host its certificate (above). */
export function clientCertificateConnector(
  base: buildConnector.BuildOptions,
  certificates: ClientCertificate[],
): buildConnector.connector {
  if (certificates.length === 0) return buildConnector(base);
  const presenting = certificates.map((certificate) => ({
    certificate,
    connect: buildConnector({
      ...base,
      cert: certificate.cert,
      key: certificate.key,
      ...(certificate.passphrase !== undefined ? { passphrase: certificate.passphrase } : {}),
    }),
  }));
  return (options, callback) => {
    const chosen = presenting.find((p) => namedFor(p.certificate, options.hostname)) ?? presenting[0]!;
    chosen.connect(options, callback);
  };
}
