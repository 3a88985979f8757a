package io.bluegreen.testkit;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Captures every SLF4J log line of the test JVM, at every level and from every logger (bluegreen's,
 * the AWS SDK's, fabric8's...), while a capture is open. For tests that must prove what is logged,
 * or that something never is (a secret, at DEBUG, anywhere).
 *
 * <p>It is an SLF4J 2 provider, chosen for the test JVM with the {@code slf4j.provider} system
 * property, which takes precedence over any other provider on the class path. Outside a capture
 * it prints like slf4j-simple to {@code System.err}, honouring {@code
 * org.slf4j.simpleLogger.defaultLogLevel} (default info) and {@code org.slf4j.simpleLogger.log.<name>}.
 * The testkit jar does not register it: nothing changes unless you select it.
 *
 * <pre>{@code
 * <!-- pom.xml, maven-surefire-plugin configuration -->
 * <systemPropertyVariables>
 *   <slf4j.provider>io.bluegreen.testkit.LogCapture$Provider</slf4j.provider>
 * </systemPropertyVariables>
 *
 * try (LogCapture logs = LogCapture.start()) {
 *   plan.execute();
 *   assertThat(logs.lines()).noneMatch(l -> l.text().contains(secret));
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

  /** The value of the {@code slf4j.provider} system property that selects the capturing provider. */
  public static final String PROVIDER = "io.bluegreen.testkit.LogCapture$Provider";

  private static final List<LogCapture> OPEN = new CopyOnWriteArrayList<>();

  /**
   * One captured log line.
   *
   * @param logger the logger's name (its category)
   * @param level the level
   * @param thread the thread that logged it
   * @param message the formatted message
   * @param throwable the attached throwable rendered as a stack trace (with causes), or "" when none
   */
  public record Line(String logger, Level level, String thread, String message, String throwable) {

    /** @return everything the line would print: level, logger, message and stack trace */
    public String text() {
      return level + " " + logger + " - " + message + (throwable.isEmpty() ? "" : "\n" + throwable);
    }
  }

  private final List<Line> lines = new CopyOnWriteArrayList<>();

  private LogCapture() {
  }

  /** @return whether the capturing provider is the test JVM's SLF4J provider */
  public static boolean isInstalled() {
    return LoggerFactory.getILoggerFactory() instanceof CapturingLoggerFactory;
  }

  /**
   * Starts capturing every log line, at every level, until {@link #close()}.
   *
   * @return the open capture
   * @throws IllegalStateException if the capturing provider is not the JVM's SLF4J provider (a
   *     capture would silently see nothing); the message says how to select it
   */
  public static LogCapture start() {
    if (!isInstalled()) {
      throw new IllegalStateException("the SLF4J provider of this JVM is " + LoggerFactory.getILoggerFactory().getClass().getName()
          + ", so log lines cannot be captured: run the tests with -Dslf4j.provider=" + PROVIDER
          + " (maven-surefire-plugin systemPropertyVariables)");
    }
    LogCapture capture = new LogCapture();
    OPEN.add(capture);
    return capture;
  }

  /** @return the lines captured so far, in order */
  public List<Line> lines() {
    return List.copyOf(lines);
  }

  /**
   * @param loggerPrefix e.g. {@code "io.bluegreen"}
   * @param level a level
   * @return the lines of loggers under that prefix at exactly that level
   */
  public List<Line> lines(String loggerPrefix, Level level) {
    return lines.stream().filter(l -> l.logger().startsWith(loggerPrefix) && l.level() == level).toList();
  }

  @Override
  public void close() {
    OPEN.remove(this);
  }

  private static boolean capturing() {
    return !OPEN.isEmpty();
  }

  private static void record(Line line) {
    for (LogCapture c : OPEN) {
      c.lines.add(line);
    }
  }

  /**
   * The SLF4J provider: select it with {@code -Dslf4j.provider=io.bluegreen.testkit.LogCapture$Provider}.
   *
   * <pre>{@code
   * java -Dslf4j.provider=io.bluegreen.testkit.LogCapture$Provider ...
   * }</pre>
   */
  public static final class Provider implements SLF4JServiceProvider {
    private CapturingLoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    /** Created by SLF4J. */
    public Provider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
      return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
      return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
      return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
      return "2.0.99";
    }

    @Override
    public void initialize() {
      loggers = new CapturingLoggerFactory();
      markers = new BasicMarkerFactory();
      mdc = new BasicMDCAdapter();
    }
  }

  private static final class CapturingLoggerFactory implements ILoggerFactory {
    private final ConcurrentMap<String, CapturingLogger> loggers = new ConcurrentHashMap<>();

    @Override
    public org.slf4j.Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, CapturingLogger::new);
    }
  }

  /** Enabled at every level while a capture is open; prints what the console level allows. */
  private static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final int consoleLevel;

    CapturingLogger(String name) {
      this.name = name;
      this.consoleLevel = consoleLevel(name).toInt();
    }

    private static Level consoleLevel(String name) {
      String prefix = "org.slf4j.simpleLogger.log.";
      for (String n = name; !n.isEmpty(); n = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : "") {
        String v = System.getProperty(prefix + n);
        if (v != null) {
          return parse(v);
        }
      }
      return parse(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info"));
    }

    private static Level parse(String level) {
      try {
        return Level.valueOf(level.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return Level.INFO;
      }
    }

    private boolean enabled(Level level) {
      return capturing() || level.toInt() >= consoleLevel;
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      String thread = Thread.currentThread().getName();
      String trace = "";
      if (throwable != null) {
        StringWriter w = new StringWriter();
        throwable.printStackTrace(new PrintWriter(w));
        trace = w.toString();
      }
      if (capturing()) {
        record(new Line(name, level, thread, message, trace));
      }
      if (level.toInt() >= consoleLevel) {
        PrintStream err = System.err;
        err.println("[" + thread + "] " + level + " " + name + " - " + message);
        if (!trace.isEmpty()) {
          err.print(trace);
        }
        err.flush();
      }
    }
  }
}
