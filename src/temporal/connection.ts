// How this service reaches Temporal: the address, TLS (server CA, client certificate for mTLS,
// server name) and API key from the configuration. The API, the worker, npm start and the tools
// all connect with these options, so a secured Temporal needs its settings in one place only.
import { Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

/** Options that `Connection` (client) and `NativeConnection` (worker) both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | false;
  apiKey?: string;
}

/** The configured Temporal; `address` replaces the configured one (npm start's own dev server). */
export function temporalConnectionOptions(
  temporal: Pick<Config['temporal'], 'address' | 'port' | 'tls' | 'apiKey'>,
  address = temporal.address ?? `127.0.0.1:${temporal.port}`,
): TemporalConnectionOptions {
  return { address, tls: temporal.tls, ...(temporal.apiKey === undefined ? {} : { apiKey: temporal.apiKey }) };
}

/** A one-line description for start-up logs, e.g. "temporal.example:7233 (mTLS, API key)". */
export function describeTemporalConnection(options: TemporalConnectionOptions): string {
  const security = [
    options.tls === false ? 'plaintext' : options.tls.clientCertPair ? 'mTLS' : 'TLS',
    ...(options.apiKey === undefined ? [] : ['API key']),
  ];
  return `${options.address} (${security.join(', ')})`;
}

/** Temporal could not be reached with these options; the message says which settings to check. */
export class TemporalConnectError extends Error {}

/** Wraps a failed connect (client or worker) in one line that names the settings to check. */
export function temporalConnectError(options: TemporalConnectionOptions, error: unknown): TemporalConnectError {
  // The SDK's own message can be as bare as "Failed to connect to Temporal server": its causes say why.
  const reasons: string[] = [];
  for (let e: unknown = error; e instanceof Error && reasons.length < 4; e = e.cause) {
    const line = e.message.split('\n')[0]!;
    if (!reasons.includes(line)) reasons.push(line);
  }
  if (reasons.length === 0) reasons.push(typeof error === 'string' ? error : 'unknown error');
  const reason = reasons.join(': ');
  const credentialsRefused = /UNAUTHENTICATED|PERMISSION_DENIED|authentication credentials|permission/i.test(reason);
  const hint =
    credentialsRefused && options.apiKey !== undefined
      ? 'Temporal refused the credentials: check TEMPORAL_API_KEY'
      : options.tls === false
        ? 'Check TEMPORAL_ADDRESS, and set TEMPORAL_TLS or TEMPORAL_TLS_CA if the server wants TLS'
        : options.tls.clientCertPair
          ? 'The server may not trust the client certificate (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY), or TEMPORAL_TLS_CA / TEMPORAL_TLS_SERVER_NAME may not match the server certificate'
          : 'If the server wants a client certificate (mTLS), set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY; check that TEMPORAL_TLS_CA / TEMPORAL_TLS_SERVER_NAME match the server certificate';
  return new TemporalConnectError(
    `Could not connect to Temporal at ${describeTemporalConnection(options)}: ${reason}. ${hint}.`,
    { cause: error },
  );
}

/** A client connection, checked now (the API uses a lazy one instead, so it starts while Temporal is down). */
export async function connectTemporalClient(options: TemporalConnectionOptions): Promise<Connection> {
  try {
    return await Connection.connect(options);
  } catch (error) {
    throw temporalConnectError(options, error);
  }
}
