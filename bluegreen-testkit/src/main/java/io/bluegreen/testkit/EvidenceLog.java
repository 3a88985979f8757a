package io.bluegreen.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.LoggerFactory;

/**
 * Rows of evidence that tests record, from which {@code scripts/reliability-report.py} builds
 * docs/RELIABILITY.md, so that every figure there comes from a test that passed in the run that built
 * it rather than being typed by hand.
 *
 * <p>A row is staged while the test runs and written only once the test has passed: the test class
 * must be annotated {@link Evidence}, whose extension drops the rows of a failed, aborted or skipped test
 * (a row recorded in {@code @BeforeAll} or {@code @AfterAll} is written only if every test of the class
 * passed). A row recorded outside such a class is dropped with a warning.
 *
 * <p>Nothing is written unless the build asks for it: the system property
 * {@value #RUN_PROPERTY} names the run (bluegreen's own build sets it; a project using the testkit
 * does not, and then recording is a no-op). Rows go to {@code target/reliability/<test class>.tsv}
 * (the directory can be moved with {@value #DIR_PROPERTY}): a first line naming the run, the class
 * and its backend; one line per row; a last line counting the class's passed, failed, aborted and
 * skipped tests, written when the class ends (a file without it is from a run that did not finish).
 *
 * <pre>{@code
 * EvidenceLog.badInput("bluegreen-k8s", "label value \"blue green\"", e.getMessage(), requestsSeen);
 * EvidenceLog.figure("failed requests attributable to the switch", "0", "0", "ZeroDowntimeUnderLoadTest");
 * }</pre>
 */
public final class EvidenceLog {

  /** The system property naming the run; recording is off without it. */
  public static final String RUN_PROPERTY = "bluegreen.evidence.run";
  /** The system property naming the directory the rows go to (default {@code target/reliability}). */
  public static final String DIR_PROPERTY = "bluegreen.evidence.dir";

  private static final ThreadLocal<List<String[]>> PENDING = new ThreadLocal<>();
  /** Rows staged outside a test (in {@code @BeforeAll} or {@code @AfterAll}): written only if every test of the class passed. */
  private static final ThreadLocal<List<String[]>> CLASS_PENDING = new ThreadLocal<>();

  private EvidenceLog() {
  }

  /** @return the run this JVM records evidence for, if the build asked for evidence */
  public static Optional<String> run() {
    String run = System.getProperty(RUN_PROPERTY);
    return run == null || run.isBlank() ? Optional.empty() : Optional.of(run.trim());
  }

  /**
   * Records one invalid input and how it was rejected.
   *
   * @param module the module whose API rejected it
   * @param input what was passed
   * @param message the exception's message
   * @param requests backend requests (or writes) the test counted during the attempt, which it asserted to be 0
   */
  public static void badInput(String module, String input, String message, long requests) {
    stage("bad-input", module, input, message, Long.toString(requests));
  }

  /**
   * Records a figure whose value is the same in every passing run (a count the test asserted exactly, an
   * outcome, a split).
   *
   * @param name what was measured
   * @param value the figure
   * @param how the test that measured it
   */
  public static void figure(String name, String value, String how) {
    figure(name, value, value, how);
  }

  /**
   * Records a figure that varies from run to run (a request count, a rate). The report that is committed
   * shows {@code claim}, what the test asserted and every passing run shares ("at least 20,000", "0");
   * {@code measured}, this run's value, goes only to the report of the run.
   *
   * @param name what was measured
   * @param claim what the test asserted about it
   * @param measured this run's value
   * @param how the test that measured it
   */
  public static void figure(String name, String claim, String measured, String how) {
    stage("figure", name, claim, measured, how);
  }

  /** Stages one row of the current test; {@link FaultMatrix} uses it for its cells. */
  static void stage(String kind, String... fields) {
    if (run().isEmpty()) {
      return;
    }
    List<String[]> pending = PENDING.get() != null ? PENDING.get() : CLASS_PENDING.get();
    if (pending == null) {
      // not in a class annotated @Evidence: the row cannot be tied to a passing test, so it is dropped, loudly
      LoggerFactory.getLogger(EvidenceLog.class).warn("*** evidence row DROPPED: the test class is not annotated"
          + " @Evidence(backend = ...), so its rows cannot be written only when it passes: {} {}", kind, String.join(" | ", fields));
      return;
    }
    String[] row = new String[fields.length + 1];
    row[0] = kind;
    System.arraycopy(fields, 0, row, 1, fields.length);
    pending.add(row);
  }

  private static String line(String... fields) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        line.append('\t');
      }
      line.append(fields[i] == null ? "" : fields[i].replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
    }
    return line.append('\n').toString();
  }

  /**
   * The extension behind {@link Evidence}: opens the class's file when the class starts, keeps each
   * test's rows aside while it runs, writes them when it has passed and drops them otherwise, and closes
   * the file with the class's test counts.
   */
  public static final class Recorder implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, TestWatcher {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Recorder.class);

    /** The file of one test class and its counts. */
    private static final class ClassLog {
      final Path path;
      int passed;
      int failed;
      int aborted;
      int skipped;

      ClassLog(Path path) {
        this.path = path;
      }

      synchronized void append(String text) {
        try {
          Files.writeString(path, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write evidence to " + path, e);
        }
      }
    }

    /** Used by JUnit through {@link Evidence}. */
    public Recorder() {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
      Optional<String> run = run();
      if (run.isEmpty()) {
        return;
      }
      Class<?> testClass = context.getRequiredTestClass();
      String backend = AnnotationSupport.findAnnotation(testClass, Evidence.class).map(Evidence::backend)
          .orElseThrow(() -> new IllegalStateException(testClass.getName() + " records evidence: annotate it @Evidence(backend = ...)"));
      Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/reliability"));
      Files.createDirectories(dir);
      Path path = dir.resolve(testClass.getName() + ".tsv");
      Files.writeString(path, line("run", run.get(), testClass.getName(), backend), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      context.getStore(NS).put(ClassLog.class, new ClassLog(path));
      CLASS_PENDING.set(new ArrayList<>());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      PENDING.set(new ArrayList<>());
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
      List<String[]> rows = take();
      classLog(context).ifPresent(log -> {
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
          text.append(line(row));
        }
        log.append(text.toString());
        synchronized (log) {
          log.passed++;
        }
      });
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      take();
      classLog(context).ifPresent(log -> {
        synchronized (log) {
          log.failed++;
        }
      });
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
      take();
      classLog(context).ifPresent(log -> {
        synchronized (log) {
          log.aborted++;
        }
      });
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
      classLog(context).ifPresent(log -> {
        synchronized (log) {
          log.skipped++;
        }
      });
    }

    @Override
    public void afterAll(ExtensionContext context) {
      ClassLog log = context.getStore(NS).get(ClassLog.class, ClassLog.class);
      List<String[]> classRows = CLASS_PENDING.get();
      CLASS_PENDING.remove();
      if (log != null) {
        synchronized (log) {
          if (classRows != null && log.failed == 0 && log.aborted == 0 && log.passed > 0) {
            StringBuilder text = new StringBuilder();
            for (String[] row : classRows) {
              text.append(line(row));
            }
            log.append(text.toString());
          }
          log.append(line("end", Integer.toString(log.passed), Integer.toString(log.failed), Integer.toString(log.aborted),
              Integer.toString(log.skipped)));
        }
      }
    }

    private static List<String[]> take() {
      List<String[]> rows = PENDING.get();
      PENDING.remove();
      return rows == null ? List.of() : rows;
    }

    private static Optional<ClassLog> classLog(ExtensionContext context) {
      return Optional.ofNullable(context.getStore(NS).get(ClassLog.class, ClassLog.class));
    }
  }
}
