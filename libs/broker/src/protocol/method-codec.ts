import { writeMethodFrame, type MethodInput, type MethodName } from './generated/methods';
import { scratchWriter } from './wire-writer';

/** One complete method frame (type, channel, size, class/method ids, arguments, frame end). */
export function encodeMethodFrame<N extends MethodName>(
  channel: number,
  name: N,
  args: MethodInput[N],
): Buffer {
  const w = scratchWriter.reset();
  writeMethodFrame(w, channel, name, args);
  return w.take();
}
