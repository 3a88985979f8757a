package io.bluegreen.examples.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Command-line options of the embedded demo. Plain flags, no library:
 *
 * <pre>{@code
 * --scale fast|N      duration scale: bakes, warm-up and the moment green breaks are multiplied by N
 *                     (default fast = 1: the whole demo takes about 15 s; 4 is easier to watch)
 * --clients N         concurrent clients of the load generator (default 8, each 50 requests/s)
 * --scenario 1|2|all  which scenarios to run (default all)
 * --report PATH       where to write the HTML report (default target/demo-report.html)
 * --help              print this and exit
 *
 * DemoOptions options = DemoOptions.parse("--scenario", "2", "--clients", "4");
 * }</pre>
 */
public final class DemoOptions {

  /** Requests per second each client sends. */
  public static final int RATE_PER_CLIENT = 50;

  private final double scale;
  private final int clients;
  private final Set<Scenario> scenarios;
  private final Path report;
  private final boolean help;

  private DemoOptions(double scale, int clients, Set<Scenario> scenarios, Path report, boolean help) {
    this.scale = scale;
    this.clients = clients;
    this.scenarios = Set.copyOf(scenarios);
    this.report = report;
    this.help = help;
  }

  /** @return fast scale, 8 clients, every scenario, report at target/demo-report.html */
  public static DemoOptions defaults() {
    return parse();
  }

  /**
   * @param args the command line
   * @return the options
   * @throws IllegalArgumentException naming the bad flag or value
   */
  public static DemoOptions parse(String... args) {
    double scale = 1.0;
    int clients = 8;
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    Path report = Path.of("target", "demo-report.html");
    boolean help = false;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      String value = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "--help", "-h" -> help = true;
        case "--scale" -> scale = parseScale(value != null ? value : next(rest, flag));
        case "--clients" -> clients = parseInt(value != null ? value : next(rest, flag), flag, 1, 64);
        case "--scenario" -> scenarios = parseScenarios(value != null ? value : next(rest, flag));
        case "--report" -> report = Path.of(value != null ? value : next(rest, flag));
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + usage());
      }
    }
    return new DemoOptions(scale, clients, scenarios, report, help);
  }

  private static String next(List<String> rest, String flag) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs a value\n" + usage());
    }
    return rest.remove(0);
  }

  private static double parseScale(String v) {
    if (v.equalsIgnoreCase("fast")) {
      return 1.0;
    }
    try {
      double d = Double.parseDouble(v);
      if (d >= 0.25 && d <= 20) {
        return d;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw new IllegalArgumentException("--scale " + v + ": use fast or a number from 0.25 to 20");
  }

  private static int parseInt(String v, String flag, int min, int max) {
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw new IllegalArgumentException(flag + " " + v + ": use a whole number from " + min + " to " + max);
  }

  private static Set<Scenario> parseScenarios(String v) {
    if (v.equalsIgnoreCase("all")) {
      return EnumSet.allOf(Scenario.class);
    }
    try {
      return EnumSet.of(Scenario.ofNumber(Integer.parseInt(v)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--scenario " + v + ": use 1, 2 or all", e);
    }
  }

  /** @return the help text */
  public static String usage() {
    return String.join("\n",
        "usage: EmbeddedDemo [--scale fast|N] [--clients N] [--scenario 1|2|all] [--report PATH]",
        "  --scale fast|N      multiply bakes and waits by N (default fast = 1, about 15 s in all)",
        "  --clients N         concurrent clients, " + RATE_PER_CLIENT + " requests/s each (default 8)",
        "  --scenario 1|2|all  1 = staged switch completes, 2 = green breaks and the plan rolls back (default all)",
        "  --report PATH       HTML report with a chart of the run (default target/demo-report.html)");
  }

  /** @return the duration scale (1 = fast) */
  public double scale() {
    return scale;
  }

  /** @return concurrent clients */
  public int clients() {
    return clients;
  }

  /** @return the scenarios to run, in order */
  public List<Scenario> scenarios() {
    return EnumSet.copyOf(scenarios).stream().toList();
  }

  /** @return where the HTML report goes */
  public Path report() {
    return report;
  }

  /** @return whether --help was given */
  public boolean help() {
    return help;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "scale %.2f, %d clients x %d req/s, scenarios %s, report %s",
        scale, clients, RATE_PER_CLIENT, scenarios(), report);
  }
}
