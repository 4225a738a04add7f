import fc from 'fast-check';
import { AmqpError } from './amqp-error';
import { METHODS, decodeMethod, methodInfo, type MethodName } from './generated/methods';
import { encodeMethodFrame } from './method-codec';
import { ReplyCode } from './reply-code';
import { methodArgsArbitrary } from './testing/arbitraries';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** The payload of a single encoded frame (between the 7-octet header and the end octet). */
const payloadOf = (frame: Buffer) => frame.subarray(7, frame.length - 1);

function decodeError(payload: Buffer): AmqpError {
  try {
    decodeMethod(payload);
  } catch (error) {
    if (error instanceof AmqpError) return error;
    throw error;
  }
  throw new Error(`decoded ${payload.toString('hex')} without error`);
}

describe('method codec (generated from the spec)', () => {
  describe('known byte vectors, computed by hand from the spec', () => {
    it('basic.publish: ids 60/40, ticket, two shortstrs, mandatory/immediate packed in one octet', () => {
      const frame = encodeMethodFrame(1, 'basic.publish', {
        exchange: 'ex',
        routingKey: 'rk',
        mandatory: true,
      });
      expect(frame).toEqual(hex('01 0001 0000000d 003c0028 0000 026578 02726b 01 ce'));
    });

    it('basic.ack: a 64-bit delivery tag above 2^32', () => {
      const frame = encodeMethodFrame(1, 'basic.ack', { deliveryTag: 2 ** 32 + 5, multiple: true });
      expect(frame).toEqual(hex('01 0001 0000000d 003c0050 00000001 00000005 01 ce'));
      expect(decodeMethod(payloadOf(frame)).args).toEqual({
        deliveryTag: 2 ** 32 + 5,
        multiple: true,
      });
    });

    it('basic.deliver', () => {
      const frame = encodeMethodFrame(2, 'basic.deliver', {
        consumerTag: 'ct',
        deliveryTag: 7,
        redelivered: true,
        exchange: '',
        routingKey: 'q',
      });
      expect(frame).toEqual(hex('01 0002 00000013 003c003c 026374 0000000000000007 01 00 0171 ce'));
    });

    it('queue.declare: five consecutive bits share one octet, first bit lowest', () => {
      const frame = encodeMethodFrame(1, 'queue.declare', {
        queue: 'q',
        durable: true,
        autoDelete: true,
        nowait: true,
      });
      // passive=0 durable=1 exclusive=0 auto-delete=1 nowait=1 -> 0b11010
      expect(frame).toEqual(hex('01 0001 0000000d 0032000a 0000 0171 1a 00000000 ce'));
      expect(decodeMethod(payloadOf(frame))).toEqual({
        name: 'queue.declare',
        classId: 50,
        methodId: 10,
        args: {
          ticket: 0,
          queue: 'q',
          passive: false,
          durable: true,
          exclusive: false,
          autoDelete: true,
          nowait: true,
          arguments: {},
        },
      });
    });

    it('connection.close on channel 0', () => {
      const frame = encodeMethodFrame(0, 'connection.close', {
        replyCode: 320,
        replyText: 'bye',
        classId: 0,
        methodId: 0,
      });
      expect(frame).toEqual(hex('01 0000 0000000e 000a0032 0140 03627965 0000 0000 ce'));
    });

    it('exchange.unbind-ok keeps the spec quirk 40/51', () => {
      expect(encodeMethodFrame(1, 'exchange.unbind-ok', {})).toEqual(
        hex('01 0001 00000004 00280033 ce'),
      );
      expect(decodeMethod(hex('00280033')).name).toBe('exchange.unbind-ok');
      expect(methodInfo(40, 51)?.name).toBe('exchange.unbind-ok');
      expect(() => decodeMethod(hex('00280029'))).toThrow(/unknown method 41 of class 40/);
    });

    it('decodes a basic.publish as amqplib writes it', () => {
      // amqplib 2.3: publish(exchange "", routingKey "jobs", mandatory) on channel 1
      const publish = decodeMethod(hex('003c0028 0000 00 046a6f6273 01'));
      expect(publish).toEqual({
        name: 'basic.publish',
        classId: 60,
        methodId: 40,
        args: { ticket: 0, exchange: '', routingKey: 'jobs', mandatory: true, immediate: false },
      });
    });
  });

  it('fills spec defaults for left-out fields', () => {
    const decoded = decodeMethod(payloadOf(encodeMethodFrame(1, 'basic.publish', {})));
    expect(decoded.args).toEqual({
      ticket: 0,
      exchange: '',
      routingKey: '',
      mandatory: false,
      immediate: false,
    });
  });

  it('lists every method of the spec with its ids', () => {
    expect(Object.keys(METHODS)).toHaveLength(66);
    expect(METHODS['basic.publish']).toMatchObject({ classId: 60, methodId: 40, hasContent: true });
    expect(METHODS['queue.declare']).toMatchObject({ synchronous: true, hasContent: false });
  });

  describe.each(Object.keys(METHODS) as MethodName[])('%s', (name) => {
    const info = METHODS[name];

    it('round-trips any arguments (property)', () => {
      fc.assert(
        fc.property(
          methodArgsArbitrary(name),
          fc.integer({ min: 0, max: 65535 }),
          (args, channel) => {
            const frame = encodeMethodFrame(channel, name, args as never);
            expect(frame[0]).toBe(1);
            expect(frame.readUInt16BE(1)).toBe(channel);
            expect(frame.readUInt32BE(3)).toBe(frame.length - 8);
            expect(frame[frame.length - 1]).toBe(0xce);
            expect(decodeMethod(payloadOf(frame))).toEqual({
              name,
              classId: info.classId,
              methodId: info.methodId,
              args,
            });
          },
        ),
        { numRuns: 60 },
      );
    });

    it('fails every truncation with 501 "cannot decode", never a RangeError', () => {
      fc.assert(
        fc.property(methodArgsArbitrary(name), (args) => {
          const payload = payloadOf(encodeMethodFrame(1, name, args as never));
          for (let cut = 0; cut < payload.length; cut++) {
            // a copy, so nothing can read past the cut into the original frame
            const error = decodeError(Buffer.from(payload.subarray(0, cut)));
            expect(error.code).toBe(ReplyCode.FrameError);
            if (cut >= 4)
              expect([error.classId, error.methodId]).toEqual([info.classId, info.methodId]);
          }
          const longer = Buffer.concat([payload, Buffer.from([0])]);
          expect(decodeError(longer).message).toMatch(/1 unexpected bytes/);
        }),
        { numRuns: 10 },
      );
    });
  });

  it('answers undecodable arguments as RabbitMQ does: 501 "cannot decode" with the method ids', () => {
    const truncated = decodeError(hex('0032000a 00'));
    expect(truncated).toMatchObject({ code: ReplyCode.FrameError, classId: 50, methodId: 10 });
    expect(truncated.message).toMatch(/^cannot decode queue.declare: /);
    expect(truncated.replyText).toMatch(/^FRAME_ERROR - cannot decode queue.declare/);
    // a field table with an unknown type tag inside the arguments
    const badTable = decodeError(hex('0032000a 0000 0171 00 00000004 01615a00'));
    expect(badTable).toMatchObject({ code: ReplyCode.FrameError, classId: 50, methodId: 10 });
    expect(badTable.message).toMatch(/unknown type tag 0x5a/);
    expect(decodeError(hex('0032')).code).toBe(ReplyCode.FrameError);
  });

  it('answers unknown classes and methods with 540 naming them', () => {
    const unknownClass = decodeError(hex('00630001'));
    expect(unknownClass.code).toBe(ReplyCode.NotImplemented);
    expect(unknownClass.message).toBe('unknown class 99');
    expect(unknownClass.isConnectionError).toBe(true);
    expect([unknownClass.classId, unknownClass.methodId]).toEqual([99, 1]);
    const unknownMethod = decodeError(hex('003c0063'));
    expect(unknownMethod.message).toBe('unknown method 99 of class 60');
  });

  it('random payloads decode or fail with an AmqpError (property)', () => {
    const ids = Object.values(METHODS).map((m) => [m.classId, m.methodId] as const);
    fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        fc.uint8Array({ maxLength: 64 }),
        ([classId, methodId], rest) => {
          const payload = Buffer.alloc(4 + rest.length);
          payload.writeUInt16BE(classId, 0);
          payload.writeUInt16BE(methodId, 2);
          payload.set(rest, 4);
          try {
            decodeMethod(payload);
          } catch (error) {
            expect(error).toBeInstanceOf(AmqpError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses to encode a shortstr over 255 bytes, naming the field', () => {
    expect(() => encodeMethodFrame(1, 'basic.publish', { routingKey: 'k'.repeat(256) })).toThrow(
      'basic.publish routing-key is longer than 255 bytes',
    );
    expect(() => encodeMethodFrame(1, 'basic.publish', { routingKey: 'é'.repeat(128) })).toThrow(
      RangeError,
    );
    expect(
      decodeMethod(
        payloadOf(encodeMethodFrame(1, 'basic.publish', { routingKey: 'é'.repeat(127) })),
      ).args,
    ).toMatchObject({ routingKey: 'é'.repeat(127) });
  });
});
