/** What the store knows about one segment file while it is open. */
export interface SegmentState {
  readonly id: number;
  /** Rewrites by compaction so far: which file holds the segment (see segment-files.ts). */
  generation: number;
  /** Records appended and not removed. */
  live: number;
  /** Records in the file (removed ones included): live / records is what compaction weighs. */
  records: number;
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
  /**
   * Set once compaction rewrote the segment while the broker holds refs to it: the
   * position the broker knows (its ref) -> where the record is in the current file.
   * Refs handed out by recovery point into the current file, so this starts empty.
   */
  relocated: Map<number, number> | undefined;
  /** The store's compaction clock when a record was last removed (quiet segments only). */
  lastRemovalTick: number;
  /** While compaction copies the segment: removals made meanwhile (ref positions). */
  removedWhileCompacting: number[] | undefined;
}

export function newSegmentState(id: number): SegmentState {
  return {
    id,
    generation: 0,
    live: 0,
    records: 0,
    size: 0,
    flushedBytes: 0,
    ackBytes: 0,
    pendingAcks: [],
    sealed: false,
    created: false,
    relocated: undefined,
    lastRemovalTick: 0,
    removedWhileCompacting: undefined,
  };
}

/** Every record removed and every byte written: the files can go. */
export function isReclaimable(segment: SegmentState): boolean {
  return segment.sealed && segment.live === 0 && segment.flushedBytes === segment.size;
}

/** Where the record a ref points at is in the segment's current file (undefined: not there). */
export function filePosition(segment: SegmentState, refPosition: number): number | undefined {
  return segment.relocated === undefined ? refPosition : segment.relocated.get(refPosition);
}
