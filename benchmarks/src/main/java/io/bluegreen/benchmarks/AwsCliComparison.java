package io.bluegreen.benchmarks;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.lock.InProcessRouteLock;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The 90/70/50/25/0 schedule on one ALB listener done the way many teams do it today — a shell
 * loop of {@code aws elbv2 modify-listener} — and with {@link AlbListenerRouter}, all against ONE
 * moto server in one run, zero bake, compared two ways:
 * <ul>
 *   <li>(a) in-process: a {@link SwitchPlan} inside this warm JVM (clients built once) vs the seeds'
 *       loop of 5 blind writes ({@link CliLoops#SEEDS_LOOP}, one Python process per call);</li>
 *   <li>(b) whole process vs whole process: a fresh {@code java} process doing one whole switch
 *       ({@link WholeSwitchProcess}: JVM start, client build, snapshot, preflight, 5 stages) vs (b1)
 *       the same seeds' loop and (b2) a loop making the same calls as the library
 *       ({@link CliLoops#SAME_WORK_LOOP}: read, write, check per stage, preflight included).</li>
 * </ul>
 * Every row: median/min/max wall time over {@code --runs}, CPU seconds (user + system of the child
 * processes, from bash's {@code times}; for the in-process row the JVM's process CPU time during
 * the plan), and the API requests moto's recorder saw in one extra, untimed run of the row. The
 * rows run interleaved (run 1 of every row, then run 2, ...). (b) also prints the first plan's
 * stage times in each fresh JVM and a warm plan's (plans 21-40 in one JVM); the in-process row of (a)
 * is timed after 40 untimed plans in this JVM.
 *
 * <pre>{@code
 * ./scripts/bench.sh awscli --runs 5            # (a) and (b) on one moto server
 * ./scripts/bench.sh awscli --only a --runs 5
 * ./scripts/bench.sh awscli --only b --runs 5
 * }</pre>
 */
public final class AwsCliComparison {

  private static final int WARM_PLANS = 40;
  private static final Flags.Flag RUNS = Flags.flag("--runs", 5, "timed runs of every row");

  /** What to run: {@code --only a}, {@code --only b}, or both (the default). */
  record Options(boolean inProcess, boolean wholeProcess, int runs) {

    /**
     * @param args {@code [--only a|b] [--runs N]}
     * @return the options
     * @throws IllegalArgumentException naming the bad argument and what to pass instead
     */
    static Options parse(String[] args) {
      List<String> rest = new ArrayList<>();
      String only = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--only") || arg.startsWith("--only=")) {
          String value = arg.equals("--only") ? (i + 1 < args.length ? args[++i] : null) : arg.substring("--only=".length());
          if (value == null || !(value.equals("a") || value.equals("b"))) {
            throw new IllegalArgumentException("--only takes a or b (a: in-process library vs CLI loop; b: whole process vs whole"
                + " process), found " + (value == null ? "nothing" : "\"" + value + "\"") + "; leave it out to run both");
          }
          if (only != null && !only.equals(value)) {
            throw new IllegalArgumentException("--only given twice (" + only + " and " + value + "): leave it out to run both");
          }
          only = value;
        } else {
          rest.add(arg);
        }
      }
      int runs = Flags.parse(rest.toArray(new String[0]), RUNS).get("--runs");
      if (runs < 1) {
        throw new IllegalArgumentException("--runs 0 measures nothing: pass e.g. --runs 5");
      }
      return new Options(only == null || only.equals("a"), only == null || only.equals("b"), runs);
    }

    static String usage() {
      return Flags.usage("awscli [--only a|b]", RUNS) + String.format(Locale.ROOT,
          "%n  --only a|b     a: library in this JVM vs CLI loop; b: whole java process vs CLI loops (default: both)");
    }
  }

  /** One way of doing the switch, and what was measured of it. */
  private static final class Row {
    final String label;
    final List<Double> wall = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    Map<String, Integer> requests = Map.of();

    Row(String label) {
      this.label = label;
    }

    double wallMedian() {
      return EngineBenchmark.percentile(wall, 50);
    }

    double cpuMedian() {
      return EngineBenchmark.percentile(cpu, 50);
    }
  }

  private AwsCliComparison() {
  }

  /**
   * @param args {@code [--only a|b] [--runs N]}
   * @throws Exception if the setup or a run fails
   */
  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(Options.usage());
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Options.usage());
      System.exit(2);
      return;
    }
    URI endpoint = URI.create(require("BLUEGREEN_MOTO_ENDPOINT"));
    String cli = require("BLUEGREEN_AWS_CLI");
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    String loadBefore = loadAverage();
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(creds)
            .httpClientBuilder(ApacheHttpClient.builder()).build();
        ElasticLoadBalancingV2Client elb = ElasticLoadBalancingV2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
            .credentialsProvider(creds).httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      String vpc = ec2.createVpc(r -> r.cidrBlock("10.9.0.0/16")).vpc().vpcId();
      String a = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.9.1.0/24").availabilityZone("us-east-1a")).subnet().subnetId();
      String b = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.9.2.0/24").availabilityZone("us-east-1b")).subnet().subnetId();
      String lb = elb.createLoadBalancer(r -> r.name("bench").subnets(a, b).type("application").scheme("internal"))
          .loadBalancers().get(0).loadBalancerArn();
      String blue = targetGroup(elb, vpc, "bench-blue");
      String green = targetGroup(elb, vpc, "bench-green");
      String listener = elb.createListener(r -> r.loadBalancerArn(lb).protocol(ProtocolEnum.HTTP).port(80)
          .defaultActions(WholeSwitchProcess.forward(blue, 100, green, 0))).listeners().get(0).listenerArn();
      AlbListenerRouter router = AlbListenerRouter.builder(elb).listenerArn(listener).environment(Environment.of("blue"), blue)
          .environment(Environment.of("green"), green).build();

      Path seedsLoop = script("seeds-loop", CliLoops.SEEDS_LOOP);
      Path sameWorkLoop = script("same-work-loop", CliLoops.SAME_WORK_LOOP);
      List<String> loopArgs = List.of(cli, endpoint.toString(), listener, blue, green);
      List<String> javaChild = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), WholeSwitchProcess.class.getName(), endpoint.toString(), listener, blue, green);

      Row seeds = new Row("bash loop of `aws elbv2 modify-listener`: 5 blind writes");
      Row inProcess = new Row("library in this JVM (clients built once, " + WARM_PLANS + " plans before)");
      Row javaProcess = new Row("`java` process: one whole switch (JVM start included)");
      Row sameWork = new Row("bash loop of `aws elbv2` doing the library's calls + checks");
      List<Row> rows = new ArrayList<>();
      if (options.inProcess()) {
        rows.add(inProcess);
      }
      if (options.wholeProcess()) {
        rows.add(javaProcess);
        rows.add(sameWork);
      }
      rows.add(seeds);
      Map<Row, Runner> runners = new LinkedHashMap<>();
      runners.put(seeds, () -> ChildProcessTimes.run(concat(List.of("bash", seedsLoop.toString()), loopArgs), 5));
      runners.put(sameWork, () -> ChildProcessTimes.run(concat(List.of("bash", sameWorkLoop.toString()), loopArgs), 10));
      runners.put(javaProcess, () -> ChildProcessTimes.run(javaChild, 5));
      runners.put(inProcess, () -> inProcessSwitch(router));

      // one untimed run of every row with moto's recorder on: the request counts (and a warm-up of moto and the page cache)
      MotoRequestCount recorder = new MotoRequestCount(endpoint);
      Map<String, Integer> childOwnCount = Map.of();
      for (Row row : rows) {
        WholeSwitchProcess.forwardAllBlue(elb, listener, blue, green);
        recorder.start();
        ChildProcessTimes.Result r = runners.get(row).run();
        row.requests = recorder.stop();
        expectAllGreen(elb, listener, green);
        if (row == javaProcess) {
          childOwnCount = WholeSwitchProcess.PlanTimes.parse(r.stdout(), "first").requests();
        }
      }
      if (options.wholeProcess()) {
        checkSameRequests(javaProcess.requests, childOwnCount, sameWork.requests);
      }

      if (options.inProcess()) {
        for (int i = 0; i < WARM_PLANS; i++) {
          WholeSwitchProcess.forwardAllBlue(elb, listener, blue, green);
          inProcessSwitch(router);
        }
      }
      List<WholeSwitchProcess.PlanTimes> firstPlans = new ArrayList<>();
      for (int i = 0; i < options.runs(); i++) {
        for (Row row : rows) {
          WholeSwitchProcess.forwardAllBlue(elb, listener, blue, green);
          ChildProcessTimes.Result r = runners.get(row).run();
          row.wall.add(r.wallSeconds());
          row.cpu.add(r.cpuSeconds());
          expectAllGreen(elb, listener, green);
          if (row == javaProcess) {
            firstPlans.add(WholeSwitchProcess.PlanTimes.parse(r.stdout(), "first"));
          }
        }
      }
      WholeSwitchProcess.PlanTimes warm = null;
      if (options.wholeProcess()) {
        WholeSwitchProcess.forwardAllBlue(elb, listener, blue, green);
        ChildProcessTimes.Result r = ChildProcessTimes.run(concat(javaChild, List.of(Integer.toString(WARM_PLANS))), 5);
        warm = WholeSwitchProcess.PlanTimes.parse(r.stdout(), "warm");
      }
      Files.deleteIfExists(seedsLoop);
      Files.deleteIfExists(sameWorkLoop);

      System.out.printf(Locale.ROOT, "ALB listener 90/70/50/25/0, zero bake, one moto server (%s, moto %s) for every row; %d timed runs"
          + " a row, interleaved, after one untimed run with moto's recorder on (the request counts)%n", endpoint,
          System.getenv().getOrDefault("BLUEGREEN_MOTO_VERSION", "?"), options.runs());
      System.out.printf(Locale.ROOT, "started %s; load average before: %s, after: %s; %d cores; Java %s; %s%n", started, loadBefore,
          loadAverage(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), cliVersion(cli));
      System.out.println("CPU: user+sys of the child processes (bash `times`); in-process row: the JVM's process CPU time during the"
          + " plan. moto's own CPU is in no row.");
      if (options.inProcess()) {
        System.out.println();
        System.out.println("(a) in-process library vs one CLI process per call   ./scripts/bench.sh awscli --only a --runs " + options.runs());
        printRows(List.of(seeds, inProcess));
        printRatio("loop / library", seeds, inProcess);
      }
      if (options.wholeProcess()) {
        System.out.println();
        System.out.println("(b) whole process vs whole process   ./scripts/bench.sh awscli --only b --runs " + options.runs());
        printRows(List.of(seeds, sameWork, javaProcess));
        printRatio("(b1) seeds' loop / java process", seeds, javaProcess);
        printRatio("(b2) same-work loop / java process", sameWork, javaProcess);
        System.out.println();
        WholeSwitchProcess.PlanTimes first = WholeSwitchProcess.PlanTimes.medianPerStage(firstPlans);
        System.out.printf(Locale.ROOT, "first plan in a fresh JVM, per stage (median of %d processes): %s ms; in SDK calls: %s ms;"
            + " outside them: %s ms%n", firstPlans.size(), ms(first.stageMs()), ms(first.inSdkMs()), ms(outsideSdk(first)));
        System.out.printf(Locale.ROOT, "  range over the processes, stage 1: %s ms; stages 2-5: %s ms%n",
            range(firstPlans, 0, 1), range(firstPlans, 1, 5));
        System.out.printf(Locale.ROOT, "warm plan in one JVM (median of plans %d-%d):          %s ms; in SDK calls: %s ms;"
            + " outside them: %s ms%n", WARM_PLANS / 2 + 1, WARM_PLANS, ms(warm.stageMs()), ms(warm.inSdkMs()), ms(outsideSdk(warm)));
      }
    }
  }

  /** Runs one row once. */
  @FunctionalInterface
  private interface Runner {
    ChildProcessTimes.Result run() throws Exception;
  }

  /**
   * @param library what moto's recorder saw of the java process's switch
   * @param libraryOwnCount what the java process's SDK interceptor counted
   * @param sameWorkLoop what moto's recorder saw of the same-work loop
   * @throws IllegalStateException if the loop does not make the library's calls, or the two counts of the library differ
   */
  static void checkSameRequests(Map<String, Integer> library, Map<String, Integer> libraryOwnCount, Map<String, Integer> sameWorkLoop) {
    if (!library.equals(libraryOwnCount)) {
      throw new IllegalStateException("moto's recorder saw " + library + " from the java process, but its SDK counted " + libraryOwnCount
          + ": a request went elsewhere or was not recorded");
    }
    if (!library.equals(sameWorkLoop)) {
      throw new IllegalStateException("the same-work CLI loop made " + sameWorkLoop + " but the library made " + library
          + ": make CliLoops.SAME_WORK_LOOP make the library's calls again (the library's requests changed)");
    }
  }

  private static ChildProcessTimes.Result inProcessSwitch(AlbListenerRouter router) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    SwitchPlan plan = SwitchPlan.builder().name("in-process").router(router).from(Environment.of("blue")).to(Environment.of("green"))
        .schedule(StageSchedule.sourceWeights(Duration.ZERO, WholeSwitchProcess.BLUE_WEIGHTS)).lock(new InProcessRouteLock()).build();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    SwitchResult r = plan.execute();
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    if (r.outcome() != Outcome.COMPLETED) {
      throw new IllegalStateException("plan did not complete: " + r.summary());
    }
    return new ChildProcessTimes.Result(wall, cpu, "");
  }

  private static void printRows(List<Row> rows) {
    System.out.printf(Locale.ROOT, "  %-62s %22s %9s  %s%n", "way", "wall s: median (min-max)", "CPU s", "requests");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "  %-62s %8.3f (%.3f-%.3f) %9.2f  %d %s%n", r.label, r.wallMedian(), min(r.wall), max(r.wall),
          r.cpuMedian(), MotoRequestCount.total(r.requests), r.requests);
    }
  }

  private static void printRatio(String what, Row slower, Row faster) {
    System.out.printf(Locale.ROOT, "  %-62s wall %.1fx (min/min %.1fx), CPU %.1fx, requests %d vs %d%n", what,
        slower.wallMedian() / faster.wallMedian(), min(slower.wall) / min(faster.wall), slower.cpuMedian() / faster.cpuMedian(),
        MotoRequestCount.total(slower.requests), MotoRequestCount.total(faster.requests));
  }

  private static double[] outsideSdk(WholeSwitchProcess.PlanTimes p) {
    double[] out = new double[p.stageMs().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = p.stageMs()[i] - p.inSdkMs()[i];
    }
    return out;
  }

  private static String ms(double[] values) {
    return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(" "));
  }

  /** @return min-max over the processes of the mean stage time of stages [from, to) */
  private static String range(List<WholeSwitchProcess.PlanTimes> plans, int from, int to) {
    List<Double> means = plans.stream().map(p -> Arrays.stream(p.stageMs(), from, to).average().orElse(0)).collect(Collectors.toList());
    return String.format(Locale.ROOT, "%.1f-%.1f", min(means), max(means));
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static Path script(String name, String text) throws java.io.IOException {
    Path script = Files.createTempFile(name, ".sh");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    return script;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static String cliVersion(String cli) {
    try {
      Process p = new ProcessBuilder(cli, "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return v.split(" ")[0] + " " + (v.split(" ").length > 1 ? v.split(" ")[1] : "");
    } catch (Exception e) {
      return "aws CLI version unknown";
    }
  }

  private static String require(String variable) {
    String v = System.getenv(variable);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(variable + " is not set: run this through ./scripts/bench.sh awscli");
    }
    return v;
  }

  private static String targetGroup(ElasticLoadBalancingV2Client elb, String vpc, String name) {
    String arn = elb.createTargetGroup(r -> r.name(name).protocol(ProtocolEnum.HTTP).port(8080).vpcId(vpc).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    elb.registerTargets(r -> r.targetGroupArn(arn).targets(TargetDescription.builder().id("10.9.1.10").port(8080).build()));
    return arn;
  }

  private static void expectAllGreen(ElasticLoadBalancingV2Client elb, String listener, String green) {
    List<TargetGroupTuple> groups = elb.describeListeners(r -> r.listenerArns(listener)).listeners().get(0).defaultActions().get(0)
        .forwardConfig().targetGroups();
    boolean ok = groups.stream().allMatch(g -> g.targetGroupArn().equals(green) ? g.weight() == 100 : g.weight() == 0);
    if (!ok) {
      throw new IllegalStateException("listener did not end all on green: " + groups);
    }
  }
}
