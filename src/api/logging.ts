// One JSON log line per request (pino-http): request id (taken from X-Request-Id when sane, echoed
// back), operator, and the move and workflow ids when the route is about a move. Headers are not
// logged: they carry bearer tokens.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    // Lines logged while handling a request carry just `reqId`; the final line also has req and res.
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (_req, res) => {
      const locals = (res as Response).locals as Response['locals'] | undefined;
      if (!locals) return {};
      return {
        ...(locals.operator ? { operatorId: locals.operator.id } : {}),
        ...(locals.moveId ? { moveId: locals.moveId } : {}),
        ...(locals.workflowId ? { workflowId: locals.workflowId } : {}),
        ...(locals.problem ? { problem: locals.problem } : {}),
      };
    },
    customLogLevel: (_req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
