/** What the store knows about one segment file while it is open. */
export interface SegmentState {
  readonly id: number;
  /** Records appended and not removed. */
  live: number;
  /** Bytes appended (header included), written or still in the write batch. */
  size: number;
  /** Bytes written to the file (durable once the batch's fdatasync completed). */
  flushedBytes: number;
  ackBytes: number;
  /** Removed positions not yet written to the ack file. */
  pendingAcks: number[];
  /** No more appends go here (rolled over, or recovered from a previous run). */
  sealed: boolean;
  /** The file exists on disk. */
  created: boolean;
}

export function newSegmentState(id: number): SegmentState {
  return {
    id,
    live: 0,
    size: 0,
    flushedBytes: 0,
    ackBytes: 0,
    pendingAcks: [],
    sealed: false,
    created: false,
  };
}

/** Every record removed and every byte written: the files can go. */
export function isReclaimable(segment: SegmentState): boolean {
  return segment.sealed && segment.live === 0 && segment.flushedBytes === segment.size;
}
