import { Deque } from '../model/deque';

/** A run of publishes up to `seq` waiting for one sync ticket (0 = nothing to wait for). */
interface Pending {
  seq: number;
  ticket: number;
  nack: boolean;
}

/** Where the tracker emits confirms. */
export interface ConfirmSink {
  ack(deliveryTag: number, multiple: boolean): void;
  nack(deliveryTag: number, multiple: boolean): void;
}

/**
 * Publisher confirms of one channel, sent in publish order. A persistent message
 * waits for the group-commit ticket its store append got; everything after it
 * waits too, so one `multiple=true` ack covers a whole batch once its sync ends.
 * Acks are coalesced until the connection flushes.
 */
export class ConfirmTracker {
  private nextSeq = 1;
  private readonly pending = new Deque<Pending>();
  /** Highest seq confirmable with an ack, not yet sent. */
  private ackUpTo = 0;
  /** Highest seq already answered (ack or nack). */
  private answered = 0;

  constructor(private readonly sink: ConfirmSink) {}

  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** The next publish sequence number (1, 2, ...). */
  take(): number {
    return this.nextSeq++;
  }

  /**
   * Records the outcome of publish `seq`: ticket > 0 waits for that sync; nack
   * marks a refused publish. `completed` is the last finished sync ticket.
   */
  record(seq: number, ticket: number, nack: boolean, completed: number): void {
    const last = this.pending.peekLast();
    if (last === undefined && !nack && ticket <= completed) {
      this.ackUpTo = seq;
      return;
    }
    if (last !== undefined && !nack && !last.nack && ticket <= last.ticket) {
      last.seq = seq; // rides along with the batch in front of it
      return;
    }
    const waitFor = last === undefined ? ticket : Math.max(ticket, last.ticket);
    this.pending.push({ seq, ticket: waitFor, nack });
    if (waitFor <= completed) this.release(completed);
  }

  /** A sync finished: confirm every run whose ticket it covers. */
  release(completed: number, failed = false): void {
    let head = this.pending.peek();
    while (head !== undefined && head.ticket <= completed) {
      this.pending.shift();
      if (head.nack || failed) {
        this.flushAcks();
        this.sink.nack(head.seq, head.seq - this.answered > 1);
        this.answered = head.seq;
      } else {
        this.ackUpTo = head.seq;
      }
      head = this.pending.peek();
    }
  }

  /** Sends the coalesced ack (called when the connection flushes). */
  flushAcks(): void {
    if (this.ackUpTo <= this.answered) return;
    this.sink.ack(this.ackUpTo, this.ackUpTo - this.answered > 1);
    this.answered = this.ackUpTo;
  }
}
