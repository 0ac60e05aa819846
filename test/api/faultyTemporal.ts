// A real Temporal client on the dev server that loses chosen calls on purpose, to play the network
// failing half-way: `lose-answer` sends the call (the server acts on it) and reports DEADLINE_EXCEEDED
// instead of the answer; `unavailable` reports UNAVAILABLE without sending anything. Faults are set
// per RPC name (e.g. StartWorkflowExecution) and can change between requests. Every call is counted
// by RPC name, sent or not, so a test can tell whether the API asked Temporal at all.
// No retry interceptor: each faulted call fails once, as a call that hit its deadline does.
import * as grpc from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';

export type Fault = 'lose-answer' | 'unavailable';

export interface FaultyTemporal {
  client: Client;
  /** RPC name → fault; an RPC without an entry goes through untouched. */
  faults: Map<string, Fault>;
  /** RPC name → calls made (attempts, retries included). */
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function connectFaultyTemporal(
  address: string,
  namespace: string,
  channelArgs: Record<string, number> = {},
): Promise<FaultyTemporal> {
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const interceptor: grpc.Interceptor = (options, nextCall) => {
    const rpc = options.method_definition.path.split('/').pop() ?? '';
    calls.set(rpc, (calls.get(rpc) ?? 0) + 1);
    const fault = faults.get(rpc);
    if (fault === 'unavailable') {
      return new grpc.InterceptingCall(nextCall(options), {
        start: (_metadata, listener) =>
          listener.onReceiveStatus({
            code: grpc.status.UNAVAILABLE,
            details: `${rpc} not sent (test fault)`,
            metadata: new grpc.Metadata(),
          }),
        sendMessage: () => undefined,
        halfClose: () => undefined,
      });
    }
    if (fault === 'lose-answer') {
      return new grpc.InterceptingCall(nextCall(options), {
        start: (metadata, _listener, next) =>
          // The answer passes through (grpc-js holds the status until it has), but the status says
          // the deadline passed, so the caller gets an error instead of the answer.
          next(metadata, {
            onReceiveStatus: (status, nextStatus) =>
              nextStatus({
                code: grpc.status.DEADLINE_EXCEEDED,
                details: `${rpc} answer lost (test fault)`,
                metadata: status.metadata,
              }),
          }),
      });
    }
    return new grpc.InterceptingCall(nextCall(options));
  };
  const connection = await Connection.connect({ address, interceptors: [interceptor], channelArgs });
  return { client: new Client({ connection, namespace }), faults, calls, close: () => connection.close() };
}
