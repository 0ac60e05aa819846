// Sends email with the real SendGrid client. With a base URL it talks to a SendGrid-compatible
// sink (development, tests); with only an API key it talks to SendGrid itself.
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Our own id for the message, sent as a custom arg so sink and SendGrid logs can be matched. */
  reference: string;
}

export interface SentEmail {
  /** SendGrid's X-Message-Id, when the server gave one. */
  providerMessageId: string | null;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<SentEmail>;
}

export interface MailerOptions {
  from: string;
  apiKey?: string;
  /** e.g. http://127.0.0.1:8025 for the local sink. */
  baseUrl?: string;
  /**
   * How long one send waits for the provider's answer. Well below the send activity's 1 minute, so
   * an attempt always ends with its own answer, never after Temporal has moved on to a retry.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_MAIL_REQUEST_TIMEOUT_MS = 20_000;

export class MailerConfigError extends Error {}

export function createSendGridMailer(options: MailerOptions): Mailer {
  if (!options.baseUrl && !options.apiKey) {
    throw new MailerConfigError('Mail needs SENDGRID_BASE_URL (a local sink) or SENDGRID_API_KEY (SendGrid itself)');
  }
  const client = new Client();
  // The sink ignores the key; SendGrid requires one. A placeholder keeps the client's checks happy.
  client.setApiKey(options.apiKey ?? 'SG.local-sink');
  if (options.baseUrl) client.setDefaultRequest('baseUrl', options.baseUrl);
  // An axios option: @sendgrid/client hands its default request to axios as it is (its types omit it).
  const timeout = options.requestTimeoutMs ?? DEFAULT_MAIL_REQUEST_TIMEOUT_MS;
  client.setDefaultRequest({ timeout } as unknown as Parameters<Client['setDefaultRequest']>[0]);
  const mail = new MailService();
  mail.setClient(client);
  return {
    async send(email) {
      const [response] = await mail.send({
        to: email.to,
        from: options.from,
        subject: email.subject,
        text: email.text,
        html: email.html,
        customArgs: { reference: email.reference },
      });
      const headers = response.headers as Record<string, unknown>;
      const header = headers['x-message-id'];
      return { providerMessageId: typeof header === 'string' ? header : null };
    },
  };
}
