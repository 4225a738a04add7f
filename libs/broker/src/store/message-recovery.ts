import { readFile, rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeAckEntries } from './ack-entries';
import { decodeRecord } from './message-record';
import { QueueIndex } from './queue-index';
import { ackPath, listSegmentFiles, segmentPath } from './segment-files';
import { scanSegment } from './segment-scanner';
import { newSegmentState, type SegmentState } from './segment-state';
import { readIfExists } from './file-io';
import { errnoCode, fsError } from './store-error';
import type { RecoveredMessage, RecoveredMessageVisitor, StoreLogger } from './types';

export interface RecoveredMessages {
  segments: SegmentState[];
  index: QueueIndex;
  messages: Map<string, RecoveredMessage[]>;
  nextSegmentId: number;
}

/**
 * Rebuilds the message state from the segment and ack files: live records per queue in
 * append order (segment, then position). Torn tails are truncated, corrupt records
 * skipped and reported, records of queues that no longer exist treated as removed,
 * and segments with nothing live deleted. New appends always go to a fresh segment,
 * so an ack written for a record that a crash then lost can never hit a newer record.
 */
export async function recoverMessages(
  dir: string,
  isDefinedQueue: (queueKey: string) => boolean,
  logger: StoreLogger,
  onMessage?: RecoveredMessageVisitor,
): Promise<RecoveredMessages> {
  const listing = await listSegmentFiles(dir);
  const index = new QueueIndex();
  const messages = new Map<string, RecoveredMessage[]>();
  const segments: SegmentState[] = [];
  // A compaction a crash interrupted before its rename: the old generation is intact.
  for (const name of listing.unfinished) await removeFile(join(dir, name));
  // A segment is its highest generation: a rewrite is renamed into place only once it
  // is complete and fsync'd, and the generations before it are then superseded (a
  // crash may have left them, and their ack files, behind).
  const generationOf = new Map<number, number>();
  for (const file of listing.segments) generationOf.set(file.id, file.generation); // sorted: last wins
  for (const file of listing.segments) {
    if (file.generation === generationOf.get(file.id)) continue;
    await removeFile(segmentPath(dir, file.id, file.generation));
    await removeFile(ackPath(dir, file.id, file.generation));
  }

  for (const [id, generation] of generationOf) {
    const segment = await recoverSegment(
      dir,
      id,
      generation,
      isDefinedQueue,
      logger,
      index,
      messages,
      onMessage,
    );
    if (segment === undefined) continue;
    if (segment.live === 0) {
      await removeFile(segmentPath(dir, id, generation));
      await removeFile(ackPath(dir, id, generation));
    } else {
      segments.push(segment);
    }
  }
  for (const ack of listing.acks) {
    // its segment was deleted, or superseded by a rewrite (or the rewrite never got renamed)
    if (generationOf.get(ack.id) !== ack.generation) {
      await removeFile(ackPath(dir, ack.id, ack.generation));
    }
  }
  const highest = Math.max(
    0,
    ...listing.segments.map((f) => f.id),
    ...listing.acks.map((f) => f.id),
  );
  return { segments, index, messages, nextSegmentId: highest + 1 };
}

async function recoverSegment(
  dir: string,
  id: number,
  generation: number,
  isDefinedQueue: (queueKey: string) => boolean,
  logger: StoreLogger,
  index: QueueIndex,
  messages: Map<string, RecoveredMessage[]>,
  onMessage: RecoveredMessageVisitor | undefined,
): Promise<SegmentState | undefined> {
  const path = segmentPath(dir, id, generation);
  const acksPath = ackPath(dir, id, generation);
  const ackBytes = await readIfExists(acksPath);
  const acks = decodeAckEntries(ackBytes);
  for (const offset of acks.corruptOffsets) {
    logger.error(`corrupt ack entry in ${acksPath} at offset ${offset}: ignored`);
  }
  const buf = await readFile(path).catch((err: unknown) => {
    throw fsError('cannot read segment', path, err);
  });
  const scan = scanSegment(buf);
  if (scan.header === 'empty') {
    logger.warn(
      `segment ${path} has no complete header (a crash right after creating it): deleted`,
    );
    await removeFile(path);
    await removeFile(acksPath);
    return undefined;
  }
  if (scan.header === 'foreign') {
    logger.error(`${path} is not a Surety segment (bad header): moved aside as ${path}.corrupt`);
    await rename(path, `${path}.corrupt`);
    return undefined;
  }
  for (const bad of scan.corruptions) {
    logger.error(
      `corrupt record in ${path} at offset ${bad.position} (${bad.reason}): skipped ${bad.length} bytes`,
    );
  }
  if (scan.validEnd < buf.length) {
    logger.warn(
      `torn record at the tail of ${path} at offset ${scan.validEnd} ` +
        `(${buf.length - scan.validEnd} bytes, a crash mid-write): truncated`,
    );
    await truncate(path, scan.validEnd).catch((err: unknown) => {
      throw fsError('cannot truncate segment', path, err);
    });
  }

  const segment = newSegmentState(id);
  segment.generation = generation;
  segment.records = scan.frames.length;
  segment.sealed = true;
  segment.created = true;
  segment.size = segment.flushedBytes = scan.validEnd;
  segment.ackBytes = ackBytes.length;
  for (const frame of scan.frames) {
    if (acks.positions.has(frame.position)) continue;
    let decoded;
    try {
      // a visitor copies what it keeps; otherwise every message is kept, so copy now
      decoded = decodeRecord(buf, frame.position, onMessage === undefined);
    } catch (err) {
      logger.error(`corrupt record fields in ${path} at offset ${frame.position}: ${String(err)}`);
      continue;
    }
    if (!isDefinedQueue(decoded.queueKey)) {
      segment.pendingAcks.push(frame.position); // its queue was deleted before the crash
      continue;
    }
    index.entry(decoded.queueKey).add(id, frame.position);
    segment.live++;
    const ref = { segment: id, position: frame.position, length: frame.length };
    const redelivered = acks.delivered.has(frame.position);
    if (onMessage !== undefined) {
      onMessage(decoded.queueKey, ref, decoded.message, redelivered);
      continue;
    }
    let list = messages.get(decoded.queueKey);
    if (list === undefined) messages.set(decoded.queueKey, (list = []));
    list.push({ ref, message: decoded.message, redelivered });
  }
  return segment;
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw fsError('cannot delete', path, err);
  }
}
