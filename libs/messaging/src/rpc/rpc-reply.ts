/** The body of an RPC reply: a result, or the remote error's name and message. */
export type RpcReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
