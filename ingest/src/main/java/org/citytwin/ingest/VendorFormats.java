package org.citytwin.ingest;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.citytwin.ingest.format.WaterloggingCentimetres;

/** The vendor formats ingest understands, by name. */
public final class VendorFormats {

  private final Map<String, VendorFormat> byName;

  private VendorFormats(Stream<VendorFormat> formats) {
    this.byName =
        formats.collect(Collectors.toUnmodifiableMap(VendorFormat::name, Function.identity()));
  }

  /** Every format citytwin ships. */
  public static VendorFormats builtIn() {
    return new VendorFormats(Stream.of(new WaterloggingCentimetres()));
  }

  public Optional<VendorFormat> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }
}
