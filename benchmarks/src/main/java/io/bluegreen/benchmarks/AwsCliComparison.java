package io.bluegreen.benchmarks;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.lock.InProcessRouteLock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The 90/70/50/25/0 schedule done the way many teams do it today — a shell loop of {@code aws elbv2
 * modify-listener} — and with {@link AlbListenerRouter}, against the same moto server, zero bake.
 * Prints both wall times and their ratio. The shell loop writes blind (no read-back, no health
 * check, no rollback); the plan also snapshots, runs its preflight (target health), reads before
 * each write and verifies after it.
 *
 * <pre>{@code
 * ./scripts/bench.sh awscli --runs 5
 * }</pre>
 */
public final class AwsCliComparison {

  private static final int[] BLUE_WEIGHTS = {90, 70, 50, 25, 0};

  private AwsCliComparison() {
  }

  /**
   * @param args {@code --runs N} (default 5)
   * @throws Exception if the setup fails
   */
  public static void main(String[] args) throws Exception {
    int runs = Flags.parseOrExit("awscli", args, Flags.flag("--runs", 5, "switches per tool")).get("--runs");
    URI endpoint = URI.create(require("BLUEGREEN_MOTO_ENDPOINT"));
    String cli = require("BLUEGREEN_AWS_CLI");
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
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
          .defaultActions(forward(blue, 100, green, 0))).listeners().get(0).listenerArn();

      Path script = Files.createTempFile("modify-listener-loop", ".sh");
      Files.writeString(script, shellLoop(), StandardCharsets.UTF_8);
      List<Double> cliSeconds = new ArrayList<>();
      List<Double> planSeconds = new ArrayList<>();
      Environment blueEnv = Environment.of("blue");
      Environment greenEnv = Environment.of("green");
      AlbListenerRouter router = AlbListenerRouter.builder(elb).listenerArn(listener).environment(blueEnv, blue)
          .environment(greenEnv, green).build();
      for (int i = 0; i < runs; i++) {
        reset(elb, listener, blue, green);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("bash", script.toString(), cli, endpoint.toString(), listener, blue, green)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new IllegalStateException("the aws CLI loop failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        cliSeconds.add((System.nanoTime() - t0) / 1e9);
        expectAllGreen(elb, listener, green);

        reset(elb, listener, blue, green);
        SwitchPlan plan = SwitchPlan.builder().name("bench-" + i).router(router).from(blueEnv).to(greenEnv)
            .schedule(StageSchedule.sourceWeights(Duration.ZERO, BLUE_WEIGHTS)).lock(new InProcessRouteLock()).build();
        long t1 = System.nanoTime();
        SwitchResult r = plan.execute();
        planSeconds.add((System.nanoTime() - t1) / 1e9);
        if (r.outcome() != Outcome.COMPLETED) {
          throw new IllegalStateException("plan did not complete: " + r.summary());
        }
        expectAllGreen(elb, listener, green);
      }
      Files.deleteIfExists(script);
      double cli50 = EngineBenchmark.percentile(cliSeconds, 50);
      double plan50 = EngineBenchmark.percentile(planSeconds, 50);
      System.out.printf(Locale.ROOT, "ALB 90/70/50/25/0 against moto at %s, %d runs each, zero bake%n", endpoint, runs);
      System.out.printf(Locale.ROOT, "machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      System.out.printf(Locale.ROOT, "%-58s %8.2f s median (runs: %s)%n", "shell loop of `aws elbv2 modify-listener` (5 writes)", cli50,
          fmt(cliSeconds));
      System.out.printf(Locale.ROOT, "%-58s %8.2f s median (runs: %s)%n", "AlbListenerRouter plan (5 writes + reads/verify/preflight)",
          plan50, fmt(planSeconds));
      System.out.printf(Locale.ROOT, "%-58s %8.1fx%n", "ratio (shell loop / plan)", cli50 / plan50);
    }
  }

  private static String fmt(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).reduce((x, y) -> x + " " + y).orElse("");
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

  private static Action forward(String blue, int blueWeight, String green, int greenWeight) {
    return Action.builder().type(ActionTypeEnum.FORWARD).forwardConfig(ForwardActionConfig.builder().targetGroups(
        TargetGroupTuple.builder().targetGroupArn(blue).weight(blueWeight).build(),
        TargetGroupTuple.builder().targetGroupArn(green).weight(greenWeight).build()).build()).build();
  }

  private static void reset(ElasticLoadBalancingV2Client elb, String listener, String blue, String green) {
    elb.modifyListener(r -> r.listenerArn(listener).defaultActions(forward(blue, 100, green, 0)));
  }

  private static void expectAllGreen(ElasticLoadBalancingV2Client elb, String listener, String green) {
    List<TargetGroupTuple> groups = elb.describeListeners(r -> r.listenerArns(listener)).listeners().get(0).defaultActions().get(0)
        .forwardConfig().targetGroups();
    boolean ok = groups.stream().allMatch(g -> g.targetGroupArn().equals(green) ? g.weight() == 100 : g.weight() == 0);
    if (!ok) {
      throw new IllegalStateException("listener did not end all on green: " + groups);
    }
  }

  /** The loop as a team would write it (shell, not library code). */
  private static String shellLoop() {
    return String.join("\n",
        "#!/usr/bin/env bash",
        "# usage: loop.sh <aws> <endpoint> <listener-arn> <blue-tg> <green-tg>",
        "set -euo pipefail",
        "aws=$1; endpoint=$2; listener=$3; blue=$4; green=$5",
        "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1",
        "for w in 90 70 50 25 0; do",
        "  \"$aws\" elbv2 modify-listener --endpoint-url \"$endpoint\" --listener-arn \"$listener\" \\",
        "    --default-actions \"Type=forward,ForwardConfig={TargetGroups=[{TargetGroupArn=$blue,Weight=$w},"
            + "{TargetGroupArn=$green,Weight=$((100 - w))}]}\" > /dev/null",
        "done",
        "");
  }
}
