// A local SendGrid-compatible mail sink: accepts POST /v3/mail/send like SendGrid (202), keeps the
// messages in memory and shows them at GET /messages (JSON) and GET / (a plain list for people).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkMessage {
  id: string;
  receivedAt: string;
  to: string[];
  from: string;
  subject: string;
  text: string | null;
  html: string | null;
  customArgs: Record<string, string>;
}

export interface MailSink {
  url: string;
  port: number;
  messages(): SinkMessage[];
  /** Makes the next `count` sends fail with the given HTTP status (tests of mail outages). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

interface SendGridBody {
  personalizations?: { to?: { email?: string }[]; custom_args?: Record<string, string> }[];
  from?: { email?: string };
  subject?: string;
  content?: { type?: string; value?: string }[];
  custom_args?: Record<string, string>;
}

function toMessage(body: SendGridBody): SinkMessage | string {
  const to = (body.personalizations ?? []).flatMap((p) => (p.to ?? []).map((t) => t.email ?? ''));
  if (to.length === 0 || to.some((t) => !t.includes('@'))) return 'personalizations[].to[].email is required';
  if (!body.from?.email) return 'from.email is required';
  if (!body.subject) return 'subject is required';
  const content = (type: string) => body.content?.find((c) => c.type === type)?.value ?? null;
  return {
    id: randomUUID(),
    receivedAt: new Date().toISOString(),
    to,
    from: body.from.email,
    subject: body.subject,
    text: content('text/plain'),
    html: content('text/html'),
    customArgs: { ...body.custom_args, ...body.personalizations?.[0]?.custom_args },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startMailSink(port = 0, host = '127.0.0.1'): Promise<MailSink> {
  const messages: SinkMessage[] = [];
  let failures = { count: 0, status: 503 };
  const reply = (res: http.ServerResponse, status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v3/mail/send') {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        if (failures.count > 0) {
          failures.count -= 1;
          return reply(res, failures.status, { errors: [{ message: 'sink: failure requested by a test' }] });
        }
        let parsed: SendGridBody;
        try {
          parsed = JSON.parse(raw) as SendGridBody;
        } catch {
          return reply(res, 400, { errors: [{ message: 'body is not JSON' }] });
        }
        const message = toMessage(parsed);
        if (typeof message === 'string') return reply(res, 400, { errors: [{ message }] });
        messages.push(message);
        reply(res, 202, undefined, { 'x-message-id': message.id });
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/messages') return reply(res, 200, messages);
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const rows = messages
        .map(
          (m) =>
            `<li>${escapeHtml(m.receivedAt)} to ${escapeHtml(m.to.join(', '))}: <b>${escapeHtml(m.subject)}</b><pre>${escapeHtml(m.text ?? '')}</pre></li>`,
        )
        .reverse()
        .join('');
      return res.end(`<!doctype html><title>Mail sink</title><h1>Mail sink (${messages.length})</h1><ul>${rows}</ul>`);
    }
    reply(res, 404, { errors: [{ message: 'not found' }] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    messages: () => [...messages],
    failNext: (count, status = 503) => (failures = { count, status }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
