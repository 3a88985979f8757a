package io.bluegreen.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The strict command line of the benchmark harnesses: {@code --name N} pairs, every name one the
 * harness knows, every value a whole number of 0 or more. A misspelled or unknown flag, a missing or
 * non-numeric value is an error with a message that lists the flags (a harness that silently ran
 * with its defaults would print figures for a run nobody asked for).
 *
 * <pre>{@code
 * Map<String, Integer> f = Flags.parseOrExit("engine", args, Flags.flag("--runs", 20, "measured runs"));
 * int runs = f.get("--runs");
 * }</pre>
 */
final class Flags {

  /** One flag a harness accepts. */
  record Flag(String name, int defaultValue, String help) {
  }

  private Flags() {
  }

  static Flag flag(String name, int defaultValue, String help) {
    return new Flag(name, defaultValue, help);
  }

  /**
   * Parses {@code args}, or prints the error and the usage to stderr and exits with status 2
   * ({@code --help}: the usage to stdout, status 0).
   *
   * @param program the harness's name for the usage line, e.g. "engine"
   * @param args the command line
   * @param known the flags the harness accepts
   * @return every known flag's value, the default where not given
   */
  static Map<String, Integer> parseOrExit(String program, String[] args, Flag... known) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(usage(program, known));
      System.exit(0);
    }
    try {
      return parse(args, known);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage(program, known));
      System.exit(2);
      throw e; // unreachable
    }
  }

  /**
   * @param args the command line
   * @param known the flags the harness accepts
   * @return every known flag's value, the default where not given
   * @throws IllegalArgumentException naming the bad argument and what to pass instead
   */
  static Map<String, Integer> parse(String[] args, Flag... known) {
    Map<String, Flag> byName = new LinkedHashMap<>();
    for (Flag f : known) {
      byName.put(f.name(), f);
    }
    Map<String, Integer> values = new LinkedHashMap<>();
    for (Flag f : known) {
      values.put(f.name(), f.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      Flag flag = byName.get(name);
      if (flag == null) {
        throw new IllegalArgumentException("unknown argument \"" + arg + "\": use " + names(known) + suggestion(name, known));
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value, e.g. " + name + " " + flag.defaultValue());
        }
        value = args[++i];
      }
      try {
        int n = Integer.parseInt(value);
        if (n < 0) {
          throw new NumberFormatException();
        }
        values.put(name, n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " " + value + " is not a whole number of 0 or more: pass e.g. " + name + " "
            + flag.defaultValue());
      }
    }
    return values;
  }

  static String usage(String program, Flag... known) {
    StringBuilder sb = new StringBuilder("usage: ./scripts/bench.sh ").append(program);
    for (Flag f : known) {
      sb.append(" [").append(f.name()).append(" N]");
    }
    for (Flag f : known) {
      sb.append(String.format(Locale.ROOT, "%n  %-14s %s (default %d)", f.name(), f.help(), f.defaultValue()));
    }
    return sb.toString();
  }

  private static String names(Flag... known) {
    return List.of(known).stream().map(Flag::name).collect(Collectors.joining(", "));
  }

  /** @return " (did you mean --x?)" for the known flag closest to a misspelling, or "" */
  private static String suggestion(String name, Flag... known) {
    Flag best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Flag f : known) {
      int d = distance(name, f.name());
      if (d < bestDistance) {
        best = f;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean " + best.name() + "?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
