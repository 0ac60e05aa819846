// A local SendGrid-compatible mail sink: accepts POST /v3/mail/send like SendGrid (202), keeps the
// messages in memory and shows them at GET /messages (JSON) and GET / (a plain list for people).
// It checks a send as SendGrid does (400 with SendGrid's error shape), reads at most SendGrid's size
// limit, and never throws out of a request: it shares its process with the API and the worker.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

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

/** Like SendGrid's own limit on a v3 mail send request. */
export const MAX_BODY_BYTES = 30 * 1024 * 1024;

const Address = z.object({ email: z.email(), name: z.string().optional() });
const Args = z.record(z.string(), z.string());

/**
 * The part of SendGrid's v3 mail send body the sink reads, checked as SendGrid checks it; other
 * fields SendGrid knows (attachments, categories, ...) are let through unread.
 */
const SendGridBody = z
  .object({
    personalizations: z
      .array(
        z.object({
          to: z.array(Address).min(1).max(1000),
          cc: z.array(Address).optional(),
          bcc: z.array(Address).optional(),
          subject: z.string().min(1).optional(),
          custom_args: Args.optional(),
        }),
      )
      .min(1)
      .max(1000),
    from: Address,
    reply_to: Address.optional(),
    subject: z.string().min(1).optional(),
    content: z
      .array(z.object({ type: z.string().min(1), value: z.string().min(1) }))
      .min(1)
      .optional(),
    template_id: z.string().min(1).optional(),
    custom_args: Args.optional(),
  })
  .refine((b) => b.subject !== undefined || b.template_id !== undefined || b.personalizations.every((p) => p.subject), {
    message:
      'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
    path: ['subject'],
  })
  .refine((b) => b.content !== undefined || b.template_id !== undefined, {
    message: 'Unless a valid template_id is provided, the content parameter is required.',
    path: ['content'],
  });
type SendGridBody = z.infer<typeof SendGridBody>;

/** SendGrid's error answer: `{ errors: [{ message, field, help }] }`. */
interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

const sendGridError = (message: string, field: string | null = null): SendGridError => ({ message, field, help: null });

function toMessage(body: SendGridBody): SinkMessage {
  const content = (type: string) => body.content?.find((c) => c.type === type)?.value ?? null;
  return {
    id: randomUUID(),
    receivedAt: new Date().toISOString(),
    to: body.personalizations.flatMap((p) => p.to.map((t) => t.email)),
    from: body.from.email,
    subject: body.subject ?? body.personalizations[0]?.subject ?? '',
    text: content('text/plain'),
    html: content('text/html'),
    customArgs: { ...body.custom_args, ...body.personalizations[0]?.custom_args },
  };
}

/** The body as SendGrid would read it: valid UTF-8 JSON of the right shape, or why not. */
function parseSendRequest(raw: Buffer): SendGridBody | SendGridError[] {
  let text: string;
  try {
    // Decoded as a whole, so a character split across chunks arrives intact; invalid UTF-8 is refused.
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return [sendGridError('The request body is not valid UTF-8.')];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [sendGridError('Bad Request: the request body is not valid JSON.')];
  }
  const parsed = SendGridBody.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) =>
    sendGridError(issue.message, issue.path.length > 0 ? issue.path.map(String).join('.') : null),
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startMailSink(
  port = 0,
  host = '127.0.0.1',
  options: { maxBodyBytes?: number } = {},
): Promise<MailSink> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const messages: SinkMessage[] = [];
  let failures = { count: 0, status: 503 };
  const reply = (res: http.ServerResponse, status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const refuse = (res: http.ServerResponse, status: number, errors: SendGridError[], headers = {}) =>
    reply(res, status, { errors }, headers);

  const send = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const tooLarge = () =>
      refuse(res, 413, [sendGridError(`The request body is larger than ${maxBodyBytes} bytes.`)], {
        connection: 'close',
      });
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      if (failures.count > 0) {
        failures.count -= 1;
        return refuse(res, failures.status, [sendGridError('sink: failure requested by a test')]);
      }
      const parsed = parseSendRequest(Buffer.concat(chunks));
      if (Array.isArray(parsed)) return refuse(res, 400, parsed);
      const message = toMessage(parsed);
      messages.push(message);
      reply(res, 202, undefined, { 'x-message-id': message.id });
    });
  };

  const server = http.createServer((req, res) => {
    // A client that goes away mid-request is its own business.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    try {
      if (req.method === 'POST' && req.url === '/v3/mail/send') return send(req, res);
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
        return res.end(
          `<!doctype html><title>Mail sink</title><h1>Mail sink (${messages.length})</h1><ul>${rows}</ul>`,
        );
      }
      refuse(res, 404, [sendGridError('not found')]);
    } catch (error) {
      // A bug here must not take the API and the worker down with it.
      refuse(res, 500, [sendGridError(`sink: ${(error as Error).message}`)]);
    }
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
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
