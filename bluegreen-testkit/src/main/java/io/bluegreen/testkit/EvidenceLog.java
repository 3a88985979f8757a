package io.bluegreen.testkit;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Rows of evidence written by tests while they assert, so that docs/RELIABILITY.md is produced from
 * what the tests saw rather than typed by hand. Rows go to tab-separated files under
 * {@code target/reliability/} of the module being tested (a file per kind, truncated the first time a
 * JVM writes it); {@code scripts/reliability-report.sh} assembles them.
 *
 * <pre>{@code
 * EvidenceLog.badInput("bluegreen-k8s", "label value \"blue green\"", e.getMessage(), writesSeen);
 * }</pre>
 */
public final class EvidenceLog {

  private static final Path DIR = Path.of(System.getProperty("bluegreen.evidence.dir", "target/reliability"));
  private static final Set<Path> STARTED = new HashSet<>();

  private EvidenceLog() {
  }

  /**
   * Records one invalid input and how it was rejected.
   *
   * @param module the module whose API rejected it
   * @param input what was passed
   * @param message the exception's message
   * @param writes backend writes (or requests) seen, which must be 0
   */
  public static void badInput(String module, String input, String message, long writes) {
    append("bad-inputs.tsv", module, input, message, Long.toString(writes));
  }

  /**
   * Records one fault-matrix cell.
   *
   * @param router the router
   * @param fault the fault
   * @param point where it was injected
   * @param persistence once or persistent
   * @param expected the outcome the engine must reach
   * @param result what happened
   */
  public static void faultCell(String router, String fault, String point, String persistence, Outcome expected, SwitchResult result) {
    append("fault-matrix.tsv", router, fault, point, persistence, expected.name(), result.outcome().name(),
        result.trafficNow().map(Object::toString).orElse("UNKNOWN"), Boolean.toString(result.isTrafficNowVerified()),
        Integer.toString(result.writes()), Long.toString(result.events(io.bluegreen.core.event.SwitchEvent.RetryScheduled.class).size()));
  }

  /**
   * Records a measured figure (e.g. requests served during a switch).
   *
   * @param name what was measured
   * @param value the figure
   * @param how the command or test that measured it
   */
  public static void figure(String name, String value, String how) {
    append("figures.tsv", name, value, how);
  }

  private static synchronized void append(String file, String... fields) {
    Path path = DIR.resolve(file);
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        line.append('\t');
      }
      line.append(fields[i] == null ? "" : fields[i].replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
    }
    line.append('\n');
    try {
      Files.createDirectories(DIR);
      if (STARTED.add(path)) {
        Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
      } else {
        Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write evidence to " + path, e);
    }
  }
}
