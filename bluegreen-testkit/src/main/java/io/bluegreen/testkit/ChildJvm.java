package io.bluegreen.testkit;

import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code main} class of the test classpath run in a child JVM, for crash tests: the test reads the
 * lines the child prints, waits (bounded) for one, and kills the child with SIGKILL — no shutdown
 * hook, no {@code finally}, no lock release — as a machine dying mid-plan would. The child's stderr
 * goes to {@code target/<name>-<n>.log}; {@link #close()} kills it if it is still alive.
 *
 * <pre>{@code
 * // in the child's main: ChildJvm.runAndReport(plan(...).listener(ChildJvm.progressPrinter(System.out)).build(), System.out);
 * try (ChildJvm child = ChildJvm.start("alb-crash", AlbPlanChild.class, endpoint, "crashed-pipeline@runner-1")) {
 *   child.awaitLine("STAGE_VERIFIED 3 ", Duration.ofSeconds(90));
 *   assertThat(child.kill()).isEqualTo(137);     // 128 + SIGKILL
 *   ... // resume the plan here
 * }
 * }</pre>
 *
 * <p>The waits here are real (another process's progress cannot be simulated), and every one of them
 * is bounded by the caller's limit.
 */
public final class ChildJvm implements AutoCloseable {

  private final String name;
  private final Process process;
  private final File log;
  private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final Writer stdin;

  private ChildJvm(String name, Process process, File log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          pending.add(line);
        }
      } catch (IOException e) {
        // the child was killed
      }
    }, "child-jvm-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} in a new JVM ({@code -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}: small and quick to start) on
   * this JVM's classpath.
   *
   * @param name a short name for its log file and thread
   * @param main the class whose {@code main} runs
   * @param args its arguments
   * @return the running child
   */
  public static ChildJvm start(String name, Class<?> main, String... args) {
    Objects.requireNonNull(main, "main");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    File log = new File("target/" + name + "-" + System.nanoTime() + ".log");
    log.getParentFile().mkdirs();
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log)).start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + main.getName() + " in a child JVM", e);
    }
  }

  /**
   * Waits for the child to print a line starting with {@code prefix}.
   *
   * @param prefix what the line starts with
   * @param limit how long to wait at most (real time)
   * @return the line
   * @throws AssertionError naming what the child printed if it exits or the limit passes first
   * @throws InterruptedException if interrupted while waiting
   */
  public String awaitLine(String prefix, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      String line = pending.poll(Math.max(1, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(200))),
          TimeUnit.NANOSECONDS);
      if (line != null) {
        synchronized (seen) {
          seen.add(line);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      } else if (System.nanoTime() >= deadline || (!process.isAlive() && pending.isEmpty())) {
        throw new AssertionError(name + " did not print \"" + prefix + "\" within " + limit + " (alive: " + process.isAlive()
            + "); it printed " + lines() + "; see its log " + log.getPath());
      }
    }
  }

  /**
   * Writes a line to the child's stdin (e.g. a start signal).
   *
   * @param line the line, without its newline
   */
  public void send(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write to " + name, e);
    }
  }

  /** @return the lines read so far by {@link #awaitLine} */
  public List<String> lines() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** @return whether the child still runs */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** @return the child's stderr log */
  public File log() {
    return log;
  }

  /**
   * Kills the child with SIGKILL (on Linux) and waits up to 10 s for it to be gone.
   *
   * @return its exit code (137 = 128 + SIGKILL)
   * @throws InterruptedException if interrupted while waiting
   */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not die within 10 s of SIGKILL");
    }
    return process.exitValue();
  }

  /**
   * Waits for the child to exit by itself.
   *
   * @param limit how long to wait at most (real time)
   * @return its exit code
   * @throws InterruptedException if interrupted while waiting
   */
  public int awaitExit(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + limit + "; it printed " + lines() + "; see " + log.getPath());
    }
    return process.exitValue();
  }

  /**
   * For the child's side: a listener that prints the lines crash tests wait for, one per event, to
   * {@code out} (the child's stdout): {@code LOCKED <fencing token or -1>}, {@code STAGE_STARTED <n>},
   * {@code STAGE_VERIFIED <n> <split>}.
   *
   * @param out where the parent reads (the child's {@code System.out})
   * @return the listener
   */
  public static SwitchListener progressPrinter(PrintStream out) {
    return e -> {
      if (e instanceof SwitchEvent.LockAcquired l) {
        say(out, "LOCKED " + l.fencingToken().orElse(-1));
      } else if (e instanceof SwitchEvent.StageStarted s) {
        say(out, "STAGE_STARTED " + s.stageNumber());
      } else if (e instanceof SwitchEvent.StageVerified v) {
        say(out, "STAGE_VERIFIED " + v.stageNumber() + " " + v.split());
      }
    };
  }

  /**
   * For the child's side: runs the plan and prints {@code FINISHED <outcome> writes=<n> <summary>}.
   *
   * @param plan the plan (give it {@link #progressPrinter(PrintStream)} as a listener)
   * @param out where the parent reads (the child's {@code System.out})
   * @return its result
   */
  public static SwitchResult runAndReport(SwitchPlan plan, PrintStream out) {
    SwitchResult result = plan.execute();
    say(out, "FINISHED " + result.outcome() + " writes=" + result.writes() + " " + result.summary());
    return result;
  }

  private static void say(PrintStream out, String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
