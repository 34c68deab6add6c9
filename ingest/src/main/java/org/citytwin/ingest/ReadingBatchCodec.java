package org.citytwin.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import org.citytwin.twin.ReadingBatch;

/**
 * Passes a {@link ReadingBatch} over the event bus as it is: no encoding, no copy. It refuses to
 * cross a clustered event bus; a pipeline there would have to send the JSON form, which history
 * still takes. Ingest, the sender, registers it: a pipeline then works against any consumer of the
 * address, history or a test's stand-in (ingest cannot see fusion's codec for any type: the two
 * modules know only the model).
 */
final class ReadingBatchCodec implements MessageCodec<ReadingBatch, ReadingBatch> {

  static final String NAME = "same-process:" + ReadingBatch.class.getName();

  /** Makes this codec the default for batches on this Vert.x instance, once. */
  static void register(io.vertx.core.Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(ReadingBatch.class, new ReadingBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another pipeline of this instance: the same codec
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, ReadingBatch batch) {
    throw new UnsupportedOperationException(NAME + " never leaves the process");
  }

  @Override
  public ReadingBatch decodeFromWire(int position, Buffer buffer) {
    throw new UnsupportedOperationException(NAME + " never leaves the process");
  }

  @Override
  public ReadingBatch transform(ReadingBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
