/** Error and log message factories for configuration problems found at start. */
export const Messages = {
  conflictingQueueSetting: (queue: string, setting: string, first: string, second: string) =>
    `queue '${queue}' is consumed by ${first} and ${second} with different '${setting}'; ` +
    `queue-level settings must agree (the queue is not consumed)`,
  duplicateCatchAll: (queue: string, first: string, second: string) =>
    `queue '${queue}' has two handlers without 'type' (${first}, ${second}); ` +
    `give them distinct 'type' values (the queue is not consumed)`,
  duplicateType: (queue: string, type: string, first: string, second: string) =>
    `message type '${type}' on queue '${queue}' is taken by both ${first} and ${second} (the queue is not consumed)`,
  rpcQueueAlsoSubscribed: (queue: string) =>
    `queue '${queue}' has both @RpcHandler and @Subscribe handlers; use separate queues (the RPC handler is not started)`,
  duplicateRpcHandler: (queue: string, first: string, second: string) =>
    `queue '${queue}' has two @RpcHandler methods (${first}, ${second}); the second is not started`,
  retriesNeedDelays: (handler: string, attempts: number) =>
    `${handler} asks for ${attempts} attempts, but delays are off (delay: false) and retries ` +
    `are scheduled through the delay levels; its failures go straight to the dead-letter queue`,
};
