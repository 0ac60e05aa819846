// A TLS-terminating TCP proxy in front of a plaintext Temporal (the CLI dev server has no TLS
// flags): it speaks TLS with ALPN h2, demands a client certificate signed by `clientCa` (mTLS),
// and pipes the decrypted bytes to the server. Handshakes it refused are kept for assertions.
import net from 'node:net';
import tls from 'node:tls';

export interface TlsProxy {
  address: string;
  /** Why handshakes failed, e.g. "peer did not return a certificate". */
  refusals: string[];
  close(): Promise<void>;
}

export async function startTlsProxy(options: {
  target: string;
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer;
}): Promise<TlsProxy> {
  const [host, port] = options.target.split(':');
  const sockets = new Set<net.Socket>();
  const refusals: string[] = [];
  const server = tls.createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      const upstream = net.connect(Number(port), host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', (error) => refusals.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${listening}`,
    refusals,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
