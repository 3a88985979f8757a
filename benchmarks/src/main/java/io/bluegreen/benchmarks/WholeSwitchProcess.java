package io.bluegreen.benchmarks;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/**
 * One whole blue→green switch as its own process, the way a shell pipeline that starts one JVM per
 * switch runs it: client build, snapshot, preflight and the 90/70/50/25/0 stages of
 * {@link AlbListenerRouter}, with the library's real requests. {@link AwsCliComparison} launches it
 * with its own classpath and times the whole process (JVM start included).
 *
 * <p>It prints one line per plan it ran, for the parent to read (times in milliseconds, one value a
 * stage; "in-sdk" is the part of the stage spent inside AWS SDK calls, measured by an
 * {@link ExecutionInterceptor}):
 * <pre>{@code
 * plan=first stage-ms=25.1,17.9,16.0,15.2,14.8 in-sdk-ms=20.3,15.1,13.9,13.0,12.7 requests=DescribeListeners:7,ModifyListener:5
 * plan=warm stage-ms=3.1,2.9,2.8,2.8,2.7 in-sdk-ms=2.7,2.6,2.5,2.5,2.4 requests=DescribeListeners:7,ModifyListener:5
 * }</pre>
 * Usage: {@code WholeSwitchProcess <moto-endpoint> <listener-arn> <blue-tg-arn> <green-tg-arn> [warm-plans]}:
 * with warm-plans N &gt; 0 it then runs N more switches in the same JVM (resetting the listener to
 * all-blue between them, untimed) and prints the median of each stage over the last half of them
 * as {@code plan=warm}.
 */
public final class WholeSwitchProcess {

  static final int[] BLUE_WEIGHTS = {90, 70, 50, 25, 0};

  private WholeSwitchProcess() {
  }

  /**
   * @param args moto endpoint, listener ARN, blue and green target group ARNs, optionally the number of warm plans
   */
  public static void main(String[] args) {
    if (args.length < 4 || args.length > 5) {
      System.err.println("usage: WholeSwitchProcess <moto-endpoint> <listener-arn> <blue-tg-arn> <green-tg-arn> [warm-plans]"
          + " (launched by ./scripts/bench.sh awscli)");
      System.exit(2);
    }
    int warmPlans = args.length == 5 ? Integer.parseInt(args[4]) : 0;
    SdkCalls sdk = new SdkCalls();
    try (ElasticLoadBalancingV2Client elb = ElasticLoadBalancingV2Client.builder().endpointOverride(URI.create(args[0]))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(sdk)).build()) {
      String listener = args[1];
      String blue = args[2];
      String green = args[3];
      AlbListenerRouter router = AlbListenerRouter.builder(elb).listenerArn(listener).environment(Environment.of("blue"), blue)
          .environment(Environment.of("green"), green).build();
      System.out.println(runPlan(router, sdk, "first").line("first"));
      List<PlanTimes> warm = new ArrayList<>();
      for (int i = 0; i < warmPlans; i++) {
        forwardAllBlue(elb, listener, blue, green);
        warm.add(runPlan(router, sdk, "warm-" + i));
      }
      if (!warm.isEmpty()) {
        System.out.println(PlanTimes.medianPerStage(warm.subList(warm.size() / 2, warm.size())).line("warm"));
      }
    }
  }

  private static PlanTimes runPlan(AlbListenerRouter router, SdkCalls sdk, String name) {
    int stages = BLUE_WEIGHTS.length;
    long[] stageStart = new long[stages + 1];
    long[] sdkAtStart = new long[stages + 1];
    double[] stageMs = new double[stages];
    double[] inSdkMs = new double[stages];
    sdk.reset();
    SwitchPlan plan = SwitchPlan.builder().name("whole-process-" + name).router(router).from(Environment.of("blue"))
        .to(Environment.of("green")).schedule(StageSchedule.sourceWeights(Duration.ZERO, BLUE_WEIGHTS)).lock(new InProcessRouteLock())
        .listener(e -> {
          if (e instanceof SwitchEvent.StageStarted s) {
            stageStart[s.stageNumber()] = System.nanoTime();
            sdkAtStart[s.stageNumber()] = sdk.nanos();
          } else if (e instanceof SwitchEvent.StageCompleted c) {
            int n = c.stageNumber();
            stageMs[n - 1] = (System.nanoTime() - stageStart[n]) / 1e6;
            inSdkMs[n - 1] = (sdk.nanos() - sdkAtStart[n]) / 1e6;
          }
        }).build();
    SwitchResult r = plan.execute();
    if (r.outcome() != Outcome.COMPLETED) {
      throw new IllegalStateException("the whole-process switch did not complete: " + r.summary());
    }
    return new PlanTimes(stageMs, inSdkMs, sdk.requests());
  }

  /** Puts the listener back to all-blue (between runs, untimed). */
  static void forwardAllBlue(ElasticLoadBalancingV2Client elb, String listener, String blue, String green) {
    elb.modifyListener(r -> r.listenerArn(listener).defaultActions(forward(blue, 100, green, 0)));
  }

  static Action forward(String blue, int blueWeight, String green, int greenWeight) {
    return Action.builder().type(ActionTypeEnum.FORWARD).forwardConfig(ForwardActionConfig.builder().targetGroups(
        TargetGroupTuple.builder().targetGroupArn(blue).weight(blueWeight).build(),
        TargetGroupTuple.builder().targetGroupArn(green).weight(greenWeight).build()).build()).build();
  }

  /** Stage times of one plan (or the per-stage medians of several), and the requests it made by operation. */
  record PlanTimes(double[] stageMs, double[] inSdkMs, Map<String, Integer> requests) {

    String line(String plan) {
      return "plan=" + plan + " stage-ms=" + join(stageMs) + " in-sdk-ms=" + join(inSdkMs) + " requests="
          + requests.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /** @return the line {@link #line} printed for that plan, or null when there is none */
    static PlanTimes parse(String output, String plan) {
      for (String l : output.split("\n")) {
        String[] fields = l.trim().split(" ");
        if (fields.length == 4 && fields[0].equals("plan=" + plan)) {
          Map<String, Integer> requests = new TreeMap<>();
          String counts = value(fields[3], "requests=");
          for (String pair : counts.isEmpty() ? new String[0] : counts.split(",")) {
            String[] kv = pair.split(":");
            requests.put(kv[0], Integer.parseInt(kv[1]));
          }
          return new PlanTimes(doubles(value(fields[1], "stage-ms=")), doubles(value(fields[2], "in-sdk-ms=")), requests);
        }
      }
      return null;
    }

    static PlanTimes medianPerStage(List<PlanTimes> plans) {
      int stages = plans.get(0).stageMs().length;
      double[] stage = new double[stages];
      double[] inSdk = new double[stages];
      for (int s = 0; s < stages; s++) {
        int i = s;
        stage[s] = median(plans.stream().map(p -> p.stageMs()[i]).collect(Collectors.toList()));
        inSdk[s] = median(plans.stream().map(p -> p.inSdkMs()[i]).collect(Collectors.toList()));
      }
      return new PlanTimes(stage, inSdk, plans.get(plans.size() - 1).requests());
    }

    private static double median(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      Collections.sort(sorted);
      return sorted.get((sorted.size() - 1) / 2);
    }

    private static String value(String field, String prefix) {
      if (!field.startsWith(prefix)) {
        throw new IllegalArgumentException("expected " + prefix + "... in the child's line, found " + field);
      }
      return field.substring(prefix.length());
    }

    private static double[] doubles(String csv) {
      String[] parts = csv.split(",");
      double[] out = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = Double.parseDouble(parts[i]);
      }
      return out;
    }

    private static String join(double[] values) {
      StringBuilder sb = new StringBuilder();
      for (double v : values) {
        sb.append(sb.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", v));
      }
      return sb.toString();
    }
  }

  /** Counts the SDK's requests by operation and the time spent inside them. */
  static final class SdkCalls implements ExecutionInterceptor {
    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("bench.started");
    private final AtomicLong nanos = new AtomicLong();
    private final Map<String, Integer> requests = Collections.synchronizedMap(new TreeMap<>());

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      requests.merge(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, Integer::sum);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      nanos.addAndGet(System.nanoTime() - attributes.getAttribute(STARTED));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
      Long started = attributes.getAttribute(STARTED);
      if (started != null) {
        nanos.addAndGet(System.nanoTime() - started);
      }
    }

    long nanos() {
      return nanos.get();
    }

    Map<String, Integer> requests() {
      synchronized (requests) {
        return new TreeMap<>(requests);
      }
    }

    void reset() {
      requests.clear();
    }
  }
}
