package io.bluegreen.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a command as a child process and measures its wall time and CPU seconds. The command runs
 * under {@code bash -c '"$@"; times'}: bash's {@code times} built-in prints, last, the user and
 * system CPU time of every child it waited for (getrusage(RUSAGE_CHILDREN), which includes their own
 * waited-for children, such as the {@code aws} processes of a shell loop). The wall time is the
 * parent's {@code System.nanoTime()} from start to exit, so it includes the bash wrapper's own
 * start (a few milliseconds, the same for every row).
 *
 * <pre>{@code
 * ChildProcessTimes.Result r = ChildProcessTimes.run(List.of("bash", "loop.sh"), Duration.ofMinutes(5));
 * System.out.println(r.wallSeconds() + " s wall, " + r.cpuSeconds() + " s CPU");
 * }</pre>
 */
final class ChildProcessTimes {

  /** {@code 0m1.234s 0m0.056s} as bash's {@code times} prints a line (C locale). */
  private static final Pattern TIMES_LINE = Pattern.compile("^(\\d+)m(\\d+[.,]\\d+)s (\\d+)m(\\d+[.,]\\d+)s$");

  /**
   * @param wallSeconds start to exit, as the parent saw it
   * @param cpuSeconds user + system CPU seconds of the command and its descendants
   * @param stdout what the command printed, without the {@code times} lines
   */
  record Result(double wallSeconds, double cpuSeconds, String stdout) {
  }

  private ChildProcessTimes() {
  }

  /**
   * @param command the command and its arguments
   * @param timeoutMinutes how long it may take
   * @return its times and output
   * @throws IllegalStateException if it exits non-zero or times out (with its stderr)
   */
  static Result run(List<String> command, long timeoutMinutes) throws IOException, InterruptedException {
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", "\"$@\"; rc=$?; times; exit $rc", "bash"));
    wrapped.addAll(command);
    Path out = Files.createTempFile("bench-child", ".out");
    Path err = Files.createTempFile("bench-child", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(wrapped).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("LC_ALL", "C");
      long t0 = System.nanoTime();
      Process p = pb.start();
      boolean exited = p.waitFor(timeoutMinutes, TimeUnit.MINUTES);
      double wall = (System.nanoTime() - t0) / 1e9;
      if (!exited) {
        p.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " did not finish in " + timeoutMinutes + " min");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": "
            + Files.readString(err, StandardCharsets.UTF_8).strip());
      }
      return new Result(wall, childCpuSeconds(stdout), withoutTimes(stdout));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * @param stdout output ending with the two lines of bash's {@code times}: the shell's own, then its children's
   * @return the children's user + system seconds
   * @throws IllegalArgumentException if the output does not end with them
   */
  static double childCpuSeconds(String stdout) {
    String[] lines = stdout.strip().split("\n");
    if (lines.length < 2) {
      throw new IllegalArgumentException("expected bash's `times` output (two lines) at the end, found: " + stdout.strip());
    }
    String children = lines[lines.length - 1].strip();
    Matcher m = TIMES_LINE.matcher(children);
    if (!m.matches() || !TIMES_LINE.matcher(lines[lines.length - 2].strip()).matches()) {
      throw new IllegalArgumentException("expected bash's `times` output (e.g. 0m1.234s 0m0.056s) in the last two lines, found: "
          + lines[lines.length - 2] + " / " + children);
    }
    return seconds(m.group(1), m.group(2)) + seconds(m.group(3), m.group(4));
  }

  static String withoutTimes(String stdout) {
    String[] lines = stdout.strip().split("\n");
    return String.join("\n", List.of(lines).subList(0, Math.max(0, lines.length - 2)));
  }

  private static double seconds(String minutes, String seconds) {
    return Integer.parseInt(minutes) * 60 + Double.parseDouble(seconds.replace(',', '.'));
  }
}
