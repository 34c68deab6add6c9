package org.citytwin.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.citytwin.ingest.format.DeclaredFormat;
import org.citytwin.twin.ThingModelCatalogue;

/**
 * The vendor formats ingest understands, by name: the ones citytwin ships ({@code
 * src/main/resources/formats/*.yaml}) plus any a city adds as YAML files in a directory ({@code
 * ingest.formats-dir}). Each is a {@link DeclaredFormat}, checked against the thing models when
 * loaded: a broken format stops the server at start, not a device at run time. Immutable.
 */
public final class VendorFormats {

  /** Where devices in the district are, and so what a timestamp without a zone means. */
  public static final ZoneId DISTRICT_ZONE = ZoneId.of("Asia/Shanghai");

  private static final String SHIPPED = "/formats/";

  private final Map<String, VendorFormat> byName;
  private final ThingModelCatalogue models;

  private VendorFormats(Map<String, VendorFormat> byName, ThingModelCatalogue models) {
    this.byName = Map.copyOf(byName);
    this.models = models;
  }

  /**
   * Every format citytwin ships.
   *
   * @throws IllegalStateException if a shipped format is broken (a build defect)
   */
  public static VendorFormats builtIn() {
    return builtIn(ThingModelCatalogue.shipped());
  }

  /**
   * Every format citytwin ships, checked against {@code models}.
   *
   * @throws IllegalStateException if a shipped format is broken (a build defect)
   */
  public static VendorFormats builtIn(ThingModelCatalogue models) {
    Map<String, VendorFormat> formats = new LinkedHashMap<>();
    for (String file : resource("index.txt").lines().map(String::strip).toList()) {
      if (file.isEmpty() || file.startsWith("#")) {
        continue;
      }
      DeclaredFormat format =
          DeclaredFormat.parse(SHIPPED + file, resource(file), models, DISTRICT_ZONE);
      formats.put(format.name(), format);
    }
    return new VendorFormats(formats, models);
  }

  /**
   * These formats plus every {@code *.yaml} in {@code directory}; a file's format replaces a
   * shipped one of the same name.
   *
   * @throws IllegalArgumentException if the directory cannot be read or a file is not a valid
   *     format, naming the file
   */
  public VendorFormats withDirectory(Path directory) {
    Map<String, VendorFormat> formats = new LinkedHashMap<>(byName);
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        DeclaredFormat format =
            DeclaredFormat.parse(
                file.toString(),
                Files.readString(file, StandardCharsets.UTF_8),
                models,
                DISTRICT_ZONE);
        formats.put(format.name(), format);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "ingest.formats-dir " + directory + " cannot be read: " + e.getMessage(), e);
    }
    return new VendorFormats(formats, models);
  }

  public Optional<VendorFormat> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every format, in no particular order. */
  public Collection<VendorFormat> all() {
    return List.copyOf(byName.values());
  }

  private static String resource(String file) {
    try (InputStream in = VendorFormats.class.getResourceAsStream(SHIPPED + file)) {
      if (in == null) {
        throw new IllegalStateException("shipped vendor format missing: " + SHIPPED + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
