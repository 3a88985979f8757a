package io.bluegreen.testkit;

import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canary values for secret-leak tests: plant a distinctive value wherever a user puts a secret (an
 * access key, a bearer header, a query token, userinfo, an OAuth token, a reply body), run real
 * plans, then check every output for it: results (summary, reason, timeline, the failure's whole
 * cause chain), dry-run reports, exceptions, {@code toString()}s and every captured log line. A leak
 * is reported with where it was found and the canary's label; the canary value itself is masked in
 * the report. Any 12 consecutive characters of a canary count as a leak (a value cut short still
 * leaks its start).
 *
 * <pre>{@code
 * SecretCanaries canaries = new SecretCanaries();
 * String token = canaries.plant("query token");          // e.g. CANARYquerytoken5f1c9a2e
 * HttpHealthGate gate = HttpHealthGate.builder(URI.create(base + "/health?token=" + token)).build();
 * try (LogCapture logs = LogCapture.start()) {
 *   SwitchResult result = plan.gate(gate).build().execute();
 *   canaries.check("failed plan", result).check("gate", gate).checkLogs(logs);
 * }
 * canaries.assertNoLeaks();                               // lists every leak: label, where, masked excerpt
 * }</pre>
 */
public final class SecretCanaries {

  private static final Logger LOG = LoggerFactory.getLogger(SecretCanaries.class);
  private static final int EXCERPT = 90;
  private static final int PART = 12;

  private final Map<String, String> labels = new LinkedHashMap<>();
  private final List<String> leaks = new ArrayList<>();
  private final Map<String, String> excusedLoggers = new LinkedHashMap<>();
  private final List<String> excused = new ArrayList<>();
  private int textsChecked;

  /** An empty set of canaries. */
  public SecretCanaries() {
  }

  /**
   * @param label what the value stands for, e.g. "AWS secret key"
   * @return a new distinctive value (letters and digits only, so it fits a header, a URI or a key)
   */
  public String plant(String label) {
    String word = label.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    String value = "CANARY" + word + String.format("%08x", ThreadLocalRandom.current().nextInt());
    return plant(label, value);
  }

  /**
   * @param label what the value stands for
   * @param value the exact value to plant (when the secret needs a particular shape)
   * @return {@code value}
   */
  public String plant(String label, String value) {
    if (value == null || value.length() < 8) {
      throw new IllegalArgumentException("a canary needs at least 8 characters to be found reliably: " + label);
    }
    labels.put(value, label);
    return value;
  }

  /** @return the planted values, label by value */
  public Map<String, String> planted() {
    return Collections.unmodifiableMap(labels);
  }

  /**
   * Looks for every canary in what the things print. Understands {@link SwitchResult} (summary,
   * reason, toString, cause chain, every timeline event), {@link DryRunReport}, throwables (the
   * whole printed stack trace: messages of every cause and suppressed exception), iterables, maps
   * and arrays; anything else is checked through {@code String.valueOf}.
   *
   * @param where what is checked, for the report (e.g. "result of a 401 on ModifyListener")
   * @param things what to check
   * @return this
   */
  public SecretCanaries check(String where, Object... things) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Object thing : things) {
      scan(where, thing, seen);
    }
    return this;
  }

  /**
   * Leaks in the log lines of another library's loggers are reported by {@link #assertNoLeaks()} (a
   * WARN line, canaries masked) but do not fail it: for a library that logs what it holds at DEBUG (the
   * AWS SDK's request signer), or a test's own fake server. Name each one and say why.
   *
   * @param loggerPrefix a logger category, e.g. {@code "software.amazon.awssdk"}
   * @param why why its leaks are not bluegreen's
   * @return this
   */
  public SecretCanaries excuseLogsOf(String loggerPrefix, String why) {
    if (loggerPrefix.startsWith("io.bluegreen")) {
      throw new IllegalArgumentException("bluegreen's own loggers are never excused: " + loggerPrefix);
    }
    excusedLoggers.put(loggerPrefix, why);
    return this;
  }

  /**
   * @param logs a capture
   * @return this, after checking every captured line (message and stack trace)
   */
  public SecretCanaries checkLogs(LogCapture logs) {
    for (LogCapture.Line line : logs.lines()) {
      int before = leaks.size();
      text("log line " + line.level() + " " + line.logger(), line.text());
      String excuse = excusedLoggers.entrySet().stream().filter(e -> line.logger().startsWith(e.getKey())).map(Map.Entry::getValue)
          .findFirst().orElse(null);
      if (excuse != null && leaks.size() > before) {
        List<String> found = leaks.subList(before, leaks.size());
        found.forEach(l -> excused.add(l + " [excused: " + excuse + "]"));
        found.clear();
      }
    }
    return this;
  }

  /** @return leaks found in excused loggers, one line each */
  public List<String> excusedLeaks() {
    return List.copyOf(excused);
  }

  /** @return the leaks found so far, one line each */
  public List<String> leaks() {
    return List.copyOf(leaks);
  }

  /** @return how many texts were checked (a check of nothing proves nothing) */
  public int textsChecked() {
    return textsChecked;
  }

  /**
   * @throws AssertionError listing every leak, if any was found
   */
  public void assertNoLeaks() {
    if (!excused.isEmpty()) {
      LOG.warn("{} leak(s) in other libraries' log lines (excused, not bluegreen's):\n  {}", excused.size(),
          String.join("\n  ", excused.stream().distinct().limit(20).toList()));
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " secret leak(s) found:\n  " + String.join("\n  ", leaks));
    }
  }

  private void scan(String where, Object thing, Set<Object> seen) {
    if (thing == null || !seen.add(thing)) {
      return;
    }
    if (thing instanceof SwitchResult r) {
      text(where + ": summary()", r.summary());
      text(where + ": reason()", r.reason());
      text(where + ": toString()", r.toString());
      r.cause().ifPresent(c -> scan(where + ": cause()", c, seen));
      for (SwitchEvent e : r.timeline()) {
        text(where + ": event " + e.getClass().getSimpleName(), e.toString());
      }
    } else if (thing instanceof DryRunReport d) {
      text(where + ": describe()", d.describe());
      d.writes().forEach(w -> text(where + ": planned write", w.toString()));
    } else if (thing instanceof Throwable t) {
      StringWriter w = new StringWriter();
      t.printStackTrace(new PrintWriter(w));
      text(where + ": " + t.getClass().getName() + " (message, causes, suppressed)", t + "\n" + w);
    } else if (thing instanceof Iterable<?> it) {
      for (Object o : it) {
        scan(where, o, seen);
      }
    } else if (thing instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        scan(where, k, seen);
        scan(where, v, seen);
      });
    } else if (thing instanceof Object[] array) {
      for (Object o : array) {
        scan(where, o, seen);
      }
    } else {
      text(where + ": " + thing.getClass().getSimpleName() + ".toString()", String.valueOf(thing));
    }
  }

  private void text(String where, String text) {
    textsChecked++;
    if (text == null) {
      return;
    }
    for (var e : labels.entrySet()) {
      int at = indexOfAnyPart(text, e.getKey());
      if (at >= 0) {
        String excerpt = text.substring(Math.max(0, at - EXCERPT), Math.min(text.length(), at + e.getKey().length() + EXCERPT));
        leaks.add(e.getValue() + " leaked into " + where + ": ..." + mask(excerpt).replaceAll("\\s+", " ") + "...");
      }
    }
  }

  /** Where the value, or any 12 consecutive characters of it (a cut-off copy), first occurs; -1 if nowhere. */
  private static int indexOfAnyPart(String text, String value) {
    int window = Math.min(PART, value.length());
    int first = -1;
    for (int i = 0; i + window <= value.length(); i++) {
      int at = text.indexOf(value.substring(i, i + window));
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  private String mask(String text) {
    String out = text;
    for (var e : labels.entrySet()) {
      out = out.replace(e.getKey(), "[" + e.getValue() + "]");
      int window = Math.min(PART, e.getKey().length());
      for (int i = 0; i + window <= e.getKey().length(); i++) {
        out = out.replace(e.getKey().substring(i, i + window), "[part of " + e.getValue() + "]");
      }
    }
    return out;
  }
}
