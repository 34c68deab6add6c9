package org.citytwin.history;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats history exports to and imports from. */
public enum HistoryFileFormat {
  /** An Arrow IPC file (Feather v2); imports also take an Arrow IPC stream. */
  ARROW,
  /**
   * RFC 4180 CSV with a header row: {@value #CSV_HEADER}; times in ISO-8601 UTC, units by symbol.
   */
  CSV;

  public static final String CSV_HEADER =
      "observed_at,thing_id,feature,property,value,unit,category,quality,stated";

  /**
   * The format a file's extension names: {@code .csv}, or {@code .arrow}, {@code .arrows}, {@code
   * .feather}, {@code .ipc}.
   */
  public static HistoryFileFormat of(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".arrow")
        || name.endsWith(".arrows")
        || name.endsWith(".feather")
        || name.endsWith(".ipc")) {
      return ARROW;
    }
    throw new IllegalArgumentException(
        "cannot tell the format of " + file + ": name it .arrow or .csv");
  }
}
