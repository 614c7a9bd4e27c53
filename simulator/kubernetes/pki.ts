import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, as PEM files in the control plane's folder. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface Pki {
  ca: CertFiles;
  frontProxyCa: CertFiles;
  apiServer: CertFiles;
  /** The aggregation layer's client certificate (kube-apiserver → extension API servers). */
  frontProxyClient: CertFiles;
  /** Serving certificate of the simulated nodes' kubelet API on 127.0.0.1. */
  kubelet: CertFiles;
  /** cluster-admin (group system:masters), used by the control plane's own clients. */
  admin: CertFiles;
  /** Service-account token signing key pair. */
  serviceAccount: { publicKey: string; privateKey: string };
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
    if (error.code === 'ENOENT')
      throw new Error('openssl was not found on PATH; it makes the control plane’s certificates');
    throw new Error(`openssl ${args[0]} failed: ${String(error.stderr ?? error.message).trim()}`);
  });
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function selfSignedCa(dir: string, name: string): Promise<CertFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl([
    'req',
    '-x509',
    ...keyArgs,
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return files;
}

async function signed(
  dir: string,
  name: string,
  ca: CertFiles,
  subject: string,
  extensions: string,
): Promise<CertFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await openssl(['req', '-new', ...keyArgs, '-keyout', files.key, '-out', csr, '-subj', subject]);
  await writeFile(ext, extensions);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    // A random serial per certificate: parallel signings by one CA share no serial file.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-out',
    files.cert,
    '-days',
    '30',
    '-extfile',
    ext,
  ]);
  return files;
}

/**
 * Makes the control plane's certificates and service-account keys at start, in `dir`: a cluster CA signing the API
 * server's serving certificate and the admin client certificate, a separate front-proxy CA for the aggregation layer
 * (as kubeadm lays it out), and an RSA key pair that signs service-account tokens.
 */
export async function makePki(dir: string): Promise<Pki> {
  const [ca, frontProxyCa] = await Promise.all([
    selfSignedCa(dir, 'ca'),
    selfSignedCa(dir, 'front-proxy-ca'),
  ]);
  const client =
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
  const serviceAccount = { privateKey: join(dir, 'sa.key'), publicKey: join(dir, 'sa.pub') };
  const [apiServer, frontProxyClient, admin, kubelet] = await Promise.all([
    signed(
      dir,
      'apiserver',
      ca,
      '/CN=kube-apiserver',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
        'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
        'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
    ),
    signed(dir, 'front-proxy-client', frontProxyCa, '/CN=front-proxy-client', client),
    signed(dir, 'admin', ca, '/O=system:masters/CN=kubernetes-admin', client),
    signed(
      dir,
      'kubelet',
      ca,
      '/CN=scalegate-kubelet',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n',
    ),
    openssl(['genrsa', '-out', serviceAccount.privateKey, '2048']).then(() =>
      openssl(['rsa', '-in', serviceAccount.privateKey, '-pubout', '-out', serviceAccount.publicKey]),
    ),
  ]);
  return { ca, frontProxyCa, apiServer, frontProxyClient, admin, kubelet, serviceAccount };
}

/** The PEM text of a file, for clients that take certificates inline (kubeconfig, undici). */
export function pem(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
