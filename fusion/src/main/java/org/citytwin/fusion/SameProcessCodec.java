package org.citytwin.fusion;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an immutable object over the event bus as it is, for messages that never leave the
 * process: no encoding, no copy. It refuses to cross a clustered event bus; a message that must
 * cross one has a text form as well (see {@link org.citytwin.twin.TwinCommandBatch}). Fusion's and
 * the api's in-process messages both use it.
 */
public final class SameProcessCodec<T> implements MessageCodec<T, T> {

  private final String name;

  SameProcessCodec(Class<T> type) {
    this.name = "same-process:" + type.getName();
  }

  /**
   * Makes this codec the default for {@code type} on this Vert.x instance, once: a second
   * registration (another verticle of the same process) keeps the first, which is the same codec.
   */
  public static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new SameProcessCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another verticle of this instance: same codec, nothing to do
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    throw new UnsupportedOperationException(name + " never leaves the process");
  }

  @Override
  public T decodeFromWire(int position, Buffer buffer) {
    throw new UnsupportedOperationException(name + " never leaves the process");
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
