// The drill's mail provider: a SendGrid-compatible front the drill switches between working and the
// ways a provider fails (500, 429 with Retry-After, hanging, not listening at all). While it works it
// hands each send to the project's local mail sink, which keeps what was delivered.
import http from 'node:http';
import type { Socket } from 'node:net';
import { startMailSink, type MailSink, type SinkMessage } from '../mailSink';

export const MAIL_MODES = ['ok', '500', '429', 'hangs', 'down'] as const;
export type MailMode = (typeof MAIL_MODES)[number];

/** Seconds a 429 asks the client to wait (SendGrid sends the same header). */
export const RETRY_AFTER_SECONDS = 60;

export interface MailFront {
  url: string;
  mode(): MailMode;
  /**
   * Switches at once. `down` closes the port (requests already being answered finish); `hangs` holds
   * each new request unanswered for good, so the client's own timeout is what ends it.
   */
  setMode(mode: MailMode): Promise<void>;
  /** Mail that reached the provider (the sink), in order. */
  delivered(): SinkMessage[];
  /** Send attempts per mode, as the provider saw them (a `down` provider sees none). */
  attempts(): Record<MailMode, number>;
  /** Sends of an email that came back sooner than the Retry-After its last 429 asked for. */
  earlyRetries(): number;
  close(): Promise<void>;
}

export async function startMailFront(port: number, host = '127.0.0.1'): Promise<MailFront> {
  const sink: MailSink = await startMailSink();
  let mode: MailMode = 'ok';
  const attempts = Object.fromEntries(MAIL_MODES.map((m) => [m, 0])) as Record<MailMode, number>;
  const sockets = new Set<Socket>();
  /** Outbox reference → until when its last 429 asked the client to wait. */
  const waitUntil = new Map<string, number>();
  let earlyRetries = 0;

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return forward(req, res, sink.port);
    attempts[mode] += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const reference = referenceOf(body);
      if (reference && (waitUntil.get(reference) ?? 0) > Date.now()) earlyRetries += 1;
      if (mode === 'ok') return forward(req, res, sink.port, body);
      if (mode === '429' && reference) waitUntil.set(reference, Date.now() + RETRY_AFTER_SECONDS * 1_000);
      fail(res, mode);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function fail(res: http.ServerResponse, failing: Exclude<MailMode, 'ok'>): void {
    const reply = (status: number, message: string, headers: http.OutgoingHttpHeaders = {}): void => {
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify({ errors: [{ message }] }));
    };
    if (failing === '500') return reply(500, 'drill: the provider is failing');
    if (failing === '429') {
      return reply(429, 'drill: too many requests', { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    // hangs (or a request that slipped in on an open connection as the port closed): no answer at all.
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  // Idle keep-alive connections close too, so the next send meets a closed port (ECONNREFUSED).
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  await listen();
  return {
    url: `http://${host}:${port}`,
    mode: () => mode,
    setMode: async (next) => {
      if (next === mode) return;
      const wasDown = mode === 'down';
      mode = next;
      if (next === 'down') await stopListening();
      else if (wasDown) await listen();
    },
    delivered: () => sink.messages(),
    attempts: () => ({ ...attempts }),
    earlyRetries: () => earlyRetries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      if (mode !== 'down') await stopListening();
      await sink.close();
    },
  };
}

/** Passes a request to the sink as it is (its body, when already read), and the sink's answer back. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, sinkPort: number, body?: Buffer): void {
  const upstream = http.request(
    { host: '127.0.0.1', port: sinkPort, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

/** The outbox id the mailer sends as a custom arg, to tell one email's attempts from another's. */
function referenceOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString()) as {
      custom_args?: Record<string, unknown>;
      personalizations?: { custom_args?: Record<string, unknown> }[];
    };
    const reference = parsed.personalizations?.[0]?.custom_args?.reference ?? parsed.custom_args?.reference;
    return typeof reference === 'string' ? reference : null;
  } catch {
    return null;
  }
}
