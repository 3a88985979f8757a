package io.bluegreen.aws.gate;

import io.bluegreen.aws.internal.AwsFailures;
import io.bluegreen.aws.internal.AwsRedaction;
import io.bluegreen.core.Checks;
import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CompositeAlarm;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;

/**
 * A gate on named CloudWatch alarms, metric or composite ({@code DescribeAlarms}): UNHEALTHY while
 * any of them is in {@code ALARM}, the way CodeDeploy's rollback triggers work.
 *
 * <pre>{@code
 * HealthGate alarms = CloudWatchAlarmGate.builder(cloudWatch)
 *     .alarms("shop-green-5xx", "shop-green-latency-p99")
 *     .build();
 * }</pre>
 *
 * <h2>Verdicts</h2>
 * <ul>
 *   <li>UNHEALTHY while any named alarm is in {@code ALARM}; the reason names it and its state reason.</li>
 *   <li>Before the plan's first write ({@link #preflight(GateContext)}) every named alarm must exist:
 *       a missing one (misspelt, another region) ends the plan ABORTED with nothing written, naming
 *       it, whether the gate is a pre-switch, stage or post-switch gate; so does a caller denied
 *       {@code DescribeAlarms}. A throttled or failed read there is left to the gate's checks.</li>
 *   <li>INCONCLUSIVE when a named alarm disappears after the preflight; the plan fails if it is still
 *       missing when the gate's grace period ends. The reason says which alarm to create or rename.</li>
 *   <li>INCONCLUSIVE when the AWS call fails (throttled, timed out, denied), with the AWS error code.</li>
 *   <li>{@code INSUFFICIENT_DATA} counts as HEALTHY by default (a quiet error metric has no data);
 *       {@link Builder#insufficientDataAs(GateResult.Status)} changes that.</li>
 *   <li>HEALTHY otherwise.</li>
 * </ul>
 * Needs {@code cloudwatch:DescribeAlarms}. Immutable and thread-safe.
 */
public final class CloudWatchAlarmGate implements HealthGate {

  private static final Logger LOG = LoggerFactory.getLogger(CloudWatchAlarmGate.class);
  private static final int MAX_ALARMS = 100;
  private static final int MAX_PAGES = 10;

  private final CloudWatchClient cloudWatch;
  private final List<String> alarms;
  private final String name;
  private final GateResult.Status insufficientData;
  private final Duration callTimeout;

  private CloudWatchAlarmGate(Builder b) {
    this.cloudWatch = b.cloudWatch;
    this.alarms = List.copyOf(b.alarms);
    this.name = b.name != null ? b.name : "cloudwatch-alarms" + alarms;
    this.insufficientData = b.insufficientData;
    this.callTimeout = b.callTimeout;
  }

  /**
   * @param cloudWatch the client
   * @return a builder
   */
  public static Builder builder(CloudWatchClient cloudWatch) {
    return new Builder(cloudWatch);
  }

  /** @return the alarm names watched */
  public List<String> alarms() {
    return alarms;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public GateResult check(GateContext context) {
    Map<String, String> states = new LinkedHashMap<>();
    Map<String, String> reasons = new LinkedHashMap<>();
    try {
      read(states, reasons);
    } catch (RuntimeException e) {
      String why = translate(e).getMessage();
      LOG.debug("{}: {}", name, why);
      return GateResult.inconclusive(why);
    }
    List<String> inAlarm = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> noData = new ArrayList<>();
    for (String alarm : alarms) {
      String state = states.get(alarm);
      if (state == null) {
        missing.add(alarm);
      } else if ("ALARM".equals(state)) {
        inAlarm.add(alarm + (reasons.get(alarm) == null ? "" : " (" + reasons.get(alarm) + ")"));
      } else if ("INSUFFICIENT_DATA".equals(state)) {
        noData.add(alarm);
      }
    }
    if (!inAlarm.isEmpty()) {
      return GateResult.unhealthy("CloudWatch alarm" + (inAlarm.size() == 1 ? " " : "s ") + String.join(", ", inAlarm) + " in ALARM");
    }
    if (!missing.isEmpty()) {
      return GateResult.inconclusive(missingReason(missing));
    }
    if (!noData.isEmpty() && insufficientData != GateResult.Status.HEALTHY) {
      String reason = "CloudWatch alarm" + (noData.size() == 1 ? " " : "s ") + noData + " in INSUFFICIENT_DATA";
      return insufficientData == GateResult.Status.UNHEALTHY ? GateResult.unhealthy(reason) : GateResult.inconclusive(reason);
    }
    return GateResult.healthy(alarms.size() + " alarm" + (alarms.size() == 1 ? "" : "s") + " not in ALARM"
        + (noData.isEmpty() ? "" : " (" + noData + " INSUFFICIENT_DATA)"));
  }

  /**
   * Reads the alarms once, before the plan's first write: every named alarm must exist and the caller
   * must be allowed to read them.
   *
   * @param context the plan before its first write
   * @throws PreflightException if an alarm does not exist or the read is denied
   */
  @Override
  public void preflight(GateContext context) {
    Map<String, String> states = new LinkedHashMap<>();
    try {
      read(states, new LinkedHashMap<>());
    } catch (RuntimeException e) {
      RouterException failure = translate(e);
      if (!failure.isTransient()) {
        throw new PreflightException(failure.getMessage(), failure);
      }
      LOG.debug("{}: preflight read failed, left to the gate's checks: {}", name, failure.getMessage());
      return;
    }
    List<String> missing = alarms.stream().filter(a -> !states.containsKey(a)).toList();
    if (!missing.isEmpty()) {
      throw new PreflightException(missingReason(missing));
    }
  }

  private void read(Map<String, String> states, Map<String, String> reasons) {
    String token = null;
    int pages = 0;
    do {
      String next = token;
      DescribeAlarmsResponse response = cloudWatch.describeAlarms(r -> r.alarmNames(alarms)
          .alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM).maxRecords(MAX_ALARMS).nextToken(next)
          .overrideConfiguration(o -> o.apiCallTimeout(callTimeout)));
      for (MetricAlarm a : response.metricAlarms()) {
        states.put(a.alarmName(), a.stateValueAsString());
        reasons.put(a.alarmName(), a.stateReason());
      }
      for (CompositeAlarm a : response.compositeAlarms()) {
        states.put(a.alarmName(), a.stateValueAsString());
        reasons.put(a.alarmName(), a.stateReason());
      }
      token = response.nextToken();
    } while (token != null && ++pages < MAX_PAGES);
  }

  private RouterException translate(RuntimeException e) {
    return AwsFailures.translate("cloudwatch", "DescribeAlarms", "alarms " + alarms, e, AwsRedaction.secretsOf(cloudWatch));
  }

  private static String missingReason(List<String> missing) {
    return "CloudWatch alarm" + (missing.size() == 1 ? " " : "s ") + missing + " not found: create "
        + (missing.size() == 1 ? "it" : "them") + " or fix the name" + (missing.size() == 1 ? "" : "s")
        + " given to CloudWatchAlarmGate (names are case-sensitive, and the client's region must be the alarms' region)";
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds a {@link CloudWatchAlarmGate}.
   *
   * <pre>{@code
   * CloudWatchAlarmGate gate = CloudWatchAlarmGate.builder(cloudWatch)
   *     .alarm("shop-green-5xx")
   *     .insufficientDataAs(GateResult.Status.INCONCLUSIVE)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final CloudWatchClient cloudWatch;
    private final Set<String> alarms = new LinkedHashSet<>();
    private String name;
    private GateResult.Status insufficientData = GateResult.Status.HEALTHY;
    private Duration callTimeout = Duration.ofSeconds(10);

    private Builder(CloudWatchClient cloudWatch) {
      this.cloudWatch = Checks.notNull(cloudWatch, "CloudWatchClient");
    }

    /** @param alarmName an alarm to watch (1-255 characters) @return this builder */
    public Builder alarm(String alarmName) {
      Checks.notBlank(alarmName, "alarm name");
      if (alarmName.length() > 255) {
        throw new InvalidConfigurationException("alarm name \"" + Checks.printable(alarmName) + "\" is longer than CloudWatch's 255 characters");
      }
      alarms.add(alarmName);
      return this;
    }

    /** @param alarmNames alarms to watch @return this builder */
    public Builder alarms(String... alarmNames) {
      for (String a : Checks.notNull(alarmNames, "alarm names")) {
        alarm(a);
      }
      return this;
    }

    /** @param alarmNames alarms to watch @return this builder */
    public Builder alarms(List<String> alarmNames) {
      for (String a : Checks.notNull(alarmNames, "alarm names")) {
        alarm(a);
      }
      return this;
    }

    /** @param name the gate's name in events (default "cloudwatch-alarms[...]") @return this builder */
    public Builder name(String name) {
      this.name = Checks.notBlank(name, "gate name");
      return this;
    }

    /** @param status the verdict for an alarm in INSUFFICIENT_DATA (default HEALTHY) @return this builder */
    public Builder insufficientDataAs(GateResult.Status status) {
      this.insufficientData = Checks.notNull(status, "insufficientDataAs");
      return this;
    }

    /** @param timeout bound on each DescribeAlarms call (default 10 s) @return this builder */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positive(timeout, "callTimeout");
      return this;
    }

    /** @return the gate */
    public CloudWatchAlarmGate build() {
      if (alarms.isEmpty()) {
        throw new InvalidConfigurationException("CloudWatchAlarmGate watches no alarm: call .alarm(\"name\") at least once");
      }
      if (alarms.size() > MAX_ALARMS) {
        throw new InvalidConfigurationException("CloudWatchAlarmGate watches " + alarms.size() + " alarms but DescribeAlarms takes at most "
            + MAX_ALARMS + " names: split them over several gates, or combine them in a composite alarm");
      }
      return new CloudWatchAlarmGate(this);
    }
  }
}
