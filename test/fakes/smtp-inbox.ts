/**
 * A fake mail server speaking real SMTP (smtp-server), parsing each message
 * with mailparser, recording it, and counting distinct Message-IDs. It can
 * refuse the next messages with a given SMTP reply code.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpInbox {
  url: string;
  messages: ParsedMail[];
  /** Distinct Message-IDs received. */
  distinctMessageIds(): number;
  /** Refuses the next message's data with this SMTP reply code (e.g. 451, 554). */
  refuseNext(responseCode: number): void;
  close(): Promise<void>;
}

export async function startSmtpInbox(
  options: { user?: string; password?: string } = {},
): Promise<SmtpInbox> {
  const messages: ParsedMail[] = [];
  const refusals: number[] = [];
  const server = new SMTPServer({
    disabledCommands: options.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.user,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      }
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const refusal = refusals.shift();
          if (refusal !== undefined) {
            callback(Object.assign(new Error('Refused by test'), { responseCode: refusal }));
            return;
          }
          messages.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const auth = options.user ? `${options.user}:${options.password ?? ''}@` : '';
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    messages,
    distinctMessageIds: () => new Set(messages.map((m) => m.messageId)).size,
    refuseNext: (code) => refusals.push(code),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
