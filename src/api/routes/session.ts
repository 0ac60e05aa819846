// Who is signed in, and how to sign in: the web app asks who its token belongs to (to show the
// operator and the actions their role allows), and, before sign-in, which demo operators it may offer.
import { currentOperator } from '../auth';
import type { ApiRouter } from '../routing';
import { MeResponse, SignInOptionsResponse, type DemoOperator, type Me } from '../schemas';

export interface SessionDeps {
  /** Demo operators with their tokens; given only by development machinery (`npm start`, tests). */
  demoOperators: readonly DemoOperator[];
}

export function registerSessionRoutes(api: ApiRouter, deps: SessionDeps): void {
  api.add({
    method: 'get',
    path: '/api/me',
    operationId: 'getMe',
    tag: 'Session',
    summary: 'The operator the token belongs to, with their role',
    access: 'operator',
    responses: { 200: { description: 'The operator', schema: MeResponse } },
    handle: ({ res }) => {
      const { id, name, email, role } = currentOperator(res);
      const me: Me = { id, name, email, role };
      res.json(me);
    },
  });

  api.add({
    method: 'get',
    path: '/api/sign-in-options',
    operationId: 'getSignInOptions',
    tag: 'Session',
    summary: 'How to sign in here: the demo operators, in development only',
    description:
      'In development `npm start` seeds two demo operators and lists them here, so the web app can offer ' +
      'them; a production API lists none (their tokens are never seeded there).',
    access: 'public',
    responses: { 200: { description: 'Sign-in options', schema: SignInOptionsResponse } },
    handle: ({ res }) => {
      // Exactly these fields, whatever else the caller's list carries.
      res.json({ demoOperators: deps.demoOperators.map(({ name, role, token }) => ({ name, role, token })) });
    },
  });
}
