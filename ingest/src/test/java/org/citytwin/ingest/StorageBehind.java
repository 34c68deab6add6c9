package org.citytwin.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.citytwin.ingest.clean.CleaningRules;
import org.citytwin.ingest.clean.ReadingCleaner;
import org.citytwin.twin.EventBusAddresses;
import org.citytwin.twin.TwinProtocol;

/**
 * A test fixture for storage falling behind: one waterlogging gauge ({@code wlg-1@water}, password
 * {@link #PASSWORD}), a history that commits an append only when the test replies to it ({@link
 * #heldByHistory}), and a pipeline that lets one reading wait for history at a time, so the second
 * finds storage behind.
 */
final class StorageBehind {

  static final String PASSWORD = "secret";

  /** The appends history has received and not yet answered, oldest first. */
  final List<Message<Object>> heldByHistory = new CopyOnWriteArrayList<>();

  final IngestCounters counters = new IngestCounters();
  final IngestServices services;

  StorageBehind(Vertx vertx) {
    vertx.eventBus().consumer(EventBusAddresses.HISTORY_APPEND, heldByHistory::add);
    DeviceRegistry registry = new DeviceRegistry(new SecureRandom());
    registry.put(
        new DeviceId("water", "wlg-1"),
        new JsonObject()
            .put("thingId", "water:wlg-1")
            .put("vendorFormat", "waterlogging-cm")
            .put("credentials", new JsonObject().put("pwd-plain", PASSWORD)));
    ReadingPipeline pipeline =
        new ReadingPipeline(
            vertx,
            new TwinProtocol(),
            counters,
            new ReadingCleaner(CleaningRules.none()),
            Clock.systemUTC(),
            1);
    services =
        new IngestServices(
            registry,
            VendorFormats.builtIn(),
            pipeline,
            counters,
            new DeadLetters(vertx, Clock.systemUTC()),
            Clock.systemUTC());
  }

  /** Commits the {@code index}th append history received (one reading). */
  void commit(int index) {
    heldByHistory.get(index).reply(new JsonObject().put("appended", 1));
  }
}
