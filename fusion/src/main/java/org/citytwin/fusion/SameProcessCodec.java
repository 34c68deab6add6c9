package org.citytwin.fusion;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an immutable object over the event bus as it is, for messages that never leave the
 * process: no encoding, no copy.
 */
final class SameProcessCodec<T> implements MessageCodec<T, T> {

  private final String name;

  SameProcessCodec(Class<T> type) {
    this.name = "same-process:" + type.getName();
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
