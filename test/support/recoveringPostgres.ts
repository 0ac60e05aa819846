// A PostgreSQL server in crash recovery, as clients meet it: it takes each connection's startup
// message and refuses it with FATAL 57P03 "the database system is starting up" (the protocol's
// ErrorResponse), then closes. Stands in for the minutes after an immediate stop, which a real
// server cannot be held in on demand.
import net from 'node:net';

export interface RecoveringPostgres {
  port: number;
  /** Connections refused so far. */
  refused(): number;
  close(): Promise<void>;
}

/** An ErrorResponse ('E'): fields of a type byte and a NUL-terminated string, then a NUL. */
function errorResponse(fields: Record<string, string>): Buffer {
  const body = Buffer.concat([
    ...Object.entries(fields).map(([type, value]) => Buffer.from(`${type}${value}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const STARTING_UP = errorResponse({
  S: 'FATAL',
  V: 'FATAL',
  C: '57P03',
  M: 'the database system is starting up',
});

export async function startRecoveringPostgres(): Promise<RecoveringPostgres> {
  let refused = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // The startup message (length-prefixed) is the client's first word; the answer is the refusal.
    socket.once('data', () => {
      refused += 1;
      socket.end(STARTING_UP);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    refused: () => refused,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
