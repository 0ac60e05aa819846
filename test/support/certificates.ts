// Certificates for TLS tests, made with the machine's openssl: a certificate authority, and server
// or client certificates it signs (EC P-256, valid two days, the extensions rustls and Node check).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  /** PEM files on disk, as the TEMPORAL_TLS_* settings name them. */
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

export interface CertificateAuthority extends CertificateFiles {
  name: string;
  dir: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed (the TLS tests need openssl on PATH): ${(error as Error).message}`);
  }
}

async function files(dir: string, name: string): Promise<CertificateFiles> {
  const certPath = path.join(dir, `${name}.pem`);
  const keyPath = path.join(dir, `${name}.key`);
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeCertificateAuthority(parentDir: string, name: string): Promise<CertificateAuthority> {
  const dir = await mkdtemp(path.join(parentDir, `${name}-`));
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { name, dir, ...(await files(dir, name)) };
}

/** A certificate signed by `ca`: for a server (with a DNS name) or for a client (mTLS). */
export async function issueCertificate(
  ca: CertificateAuthority,
  name: string,
  use: { server: string } | { client: true },
): Promise<CertificateFiles> {
  const extensions = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...('server' in use ? [`subjectAltName=DNS:${use.server}`, 'extendedKeyUsage=serverAuth'] : []),
    ...('client' in use ? ['extendedKeyUsage=clientAuth'] : []),
  ];
  await writeFile(path.join(ca.dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await openssl(['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], ca.dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca.name}.pem`,
      '-CAkey',
      `${ca.name}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    ca.dir,
  );
  return files(ca.dir, name);
}
