// The local SendGrid-compatible sink shares `npm start`'s process with the API and the worker, so a
// bad request must never throw out of it: it answers as SendGrid does (400, `{ errors: [{ message,
// field, help }] }`), reads at most SendGrid's size limit, and decodes the body as a whole.
import http from 'node:http';
import { createSendGridMailer } from '../../src/mail/mailer';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';

let sink: MailSink;
beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(() => sink.close());

const VALID = {
  personalizations: [{ to: [{ email: 'ops@t2.example' }] }],
  from: { email: 'moves@t2.example' },
  subject: 'Client site move completed',
  content: [{ type: 'text/plain', value: 'Moved.' }],
};

/** Posts raw bytes, in the chunks given, with a pause between them so they arrive apart. */
function post(
  chunks: (string | Buffer)[],
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${sink.url}/v3/mail/send`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const next = (i: number) => {
      if (i === chunks.length) return req.end();
      req.write(chunks[i]);
      setTimeout(() => next(i + 1), 20);
    };
    next(0);
  });
}

const HOSTILE: [string, string, string | null][] = [
  ['null', 'null', null],
  ['personalizations not a list', '{"personalizations":{}}', 'personalizations'],
  ['a list of null', '[null]', null],
  ['to as a string', JSON.stringify({ ...VALID, personalizations: [{ to: 'a@b.c' }] }), 'personalizations.0.to'],
  ['to: [null]', JSON.stringify({ ...VALID, personalizations: [{ to: [null] }] }), 'personalizations.0.to.0'],
  [
    'email: 5',
    JSON.stringify({ ...VALID, personalizations: [{ to: [{ email: 5 }] }] }),
    'personalizations.0.to.0.email',
  ],
  ['content: {}', JSON.stringify({ ...VALID, content: {} }), 'content'],
  ['content: [null]', JSON.stringify({ ...VALID, content: [null] }), 'content.0'],
  ['no from', JSON.stringify({ ...VALID, from: undefined }), 'from'],
  ['not JSON', '{"personalizations": [', null],
  ['empty', '', null],
];

it.each(HOSTILE)('answers %s with 400 in SendGrid’s error shape, and goes on working', async (_label, body, field) => {
  const res = await post([body]);
  expect(res.status).toBe(400);
  const parsed = JSON.parse(res.body) as { errors: { message: string; field: string | null; help: null }[] };
  expect(parsed.errors.length).toBeGreaterThan(0);
  for (const error of parsed.errors)
    expect(error).toEqual({ message: expect.any(String) as unknown, field: error.field, help: null });
  if (field) expect(parsed.errors.map((e) => e.field)).toContain(field);
  expect((await post([JSON.stringify(VALID)])).status).toBe(202);
});

it('decodes the body as a whole: a character split across chunks arrives intact; invalid UTF-8 is refused', async () => {
  const bytes = Buffer.from(JSON.stringify({ ...VALID, subject: 'Déménagement 🚚 terminé' }));
  const split = bytes.indexOf(Buffer.from('🚚')) + 2;
  const res = await post([bytes.subarray(0, split), bytes.subarray(split)]);
  expect(res.status).toBe(202);
  expect(sink.messages().at(-1)!.subject).toBe('Déménagement 🚚 terminé');

  const invalid = Buffer.concat([Buffer.from('{"subject": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  expect((await post([invalid])).status).toBe(400);
});

it('refuses a body over the limit with 413, whether it says its length or streams it', async () => {
  const small = await startMailSink(0, '127.0.0.1', { maxBodyBytes: 64 * 1024 });
  try {
    const sendTo = (url: string, chunks: Buffer[], headers: http.OutgoingHttpHeaders = {}) =>
      new Promise<number>((resolve) => {
        const req = http.request(`${url}/v3/mail/send`, { method: 'POST', headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        // The sink may close the connection before the whole body is sent: the answer is what counts.
        req.on('error', () => undefined);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    const chunk = Buffer.alloc(16 * 1024, 'a');
    expect(await sendTo(small.url, Array<Buffer>(10).fill(chunk))).toBe(413);
    expect(await sendTo(small.url, [chunk], { 'content-length': String(600 * 1024 * 1024) })).toBe(413);
    expect(await sendTo(sink.url, [Buffer.from('{}')], { 'content-length': String(600 * 1024 * 1024) })).toBe(413);
    expect((await fetch(`${small.url}/messages`)).status).toBe(200);
  } finally {
    await small.close();
  }
});

it('takes what the real SendGrid client sends', async () => {
  const mailer = createSendGridMailer({ from: 'moves@t2.example', baseUrl: sink.url });
  const sent = await mailer.send({
    to: 'ops@t2.example',
    subject: 'Hello',
    text: 'Hi',
    html: '<p>Hi</p>',
    reference: 'r-1',
  });
  expect(sent.providerMessageId).toEqual(expect.any(String));
  expect(sink.messages().at(-1)).toMatchObject({
    subject: 'Hello',
    text: 'Hi',
    html: '<p>Hi</p>',
    customArgs: { reference: 'r-1' },
  });
});
