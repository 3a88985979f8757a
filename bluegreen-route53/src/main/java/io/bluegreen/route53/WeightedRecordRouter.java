package io.bluegreen.route53;

import io.bluegreen.core.Checks;
import io.bluegreen.core.DriftDetectedException;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Redaction;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import io.bluegreen.route53.internal.ChangeBatchPlanner;
import io.bluegreen.route53.internal.HealthCheckVerdict;
import io.bluegreen.route53.internal.RecordReader;
import io.bluegreen.route53.internal.RecordReader.Key;
import io.bluegreen.route53.internal.Route53Errors;
import io.bluegreen.route53.internal.Route53Names;
import io.bluegreen.route53.internal.WeightMath;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeBatch;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.NoSuchHealthCheckException;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Moves traffic between environments by changing the weights of Route 53 weighted records: one
 * record per environment with the same name and type, told apart by SetIdentifier. Several record
 * groups of one hosted zone (a fleet of services released together) can be moved as one route.
 *
 * <pre>{@code
 * Route53Client route53 = Route53Client.create();                  // yours: credentials, retries, proxy
 * WeightedRecordRouter router = WeightedRecordRouter.builder(route53)
 *     .hostedZoneId("Z0123456789ABCDEFGHIJ")
 *     .record("api.example.com", "A", blue, "api-blue", green, "api-green")   // blue first: the display order
 *     .build();                                                   // validated here, no AWS call
 *
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .schedule(StageSchedule.targetWeights(Duration.ofMinutes(10), 10, 50, 100))
 *     .gate(HealthCheckGate.of(route53, greenHealthCheckId))
 *     .build().execute();
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li><b>Reads</b> ({@link #current()}): ListResourceRecordSets starting at each group's name and
 *       type, following pagination; many groups are read from shared pages rather than one call
 *       each. Percent = weight / sum of the group's weights, rounded to whole percents (a record
 *       that gets queries never shows as 0%). All-zero weights read as an equal spread, as Route 53
 *       serves them.</li>
 *   <li><b>Writes</b> ({@link #apply(TrafficSplit)}): one ChangeResourceRecordSets request per
 *       stage that UPSERTs every record of each group not yet at the target. Each record is rebuilt
 *       from what was just read with only its weight changed, so TTL, values, alias target, health
 *       check and every other field stay exactly as they were. Weight = percent (0..100), so writes
 *       read back exactly; all-zero weights are never written. The request is split only when
 *       Route 53's per-request limits ({@link ChangeBatchLimits}) demand it, keeping each group in
 *       one request so that it switches atomically. A rollback to weights first read as non-percent
 *       values (say 200/55) writes those exact values back. A request that got no answer (a timeout,
 *       a lost connection) may still have been applied: when the plan retries and the records
 *       already read as the target, those groups are written once more, unchanged, so that there is
 *       a change to wait for INSYNC rather than one the router never saw. With {@link
 *       Builder#conditionalWrites(boolean) conditionalWrites(true)} each group is a DELETE of its
 *       records exactly as last read or written plus a CREATE, which Route 53 refuses whole when
 *       another writer changed them, so a stage or a rollback goes out with no read before it
 *       ({@link WriteGuard#CONDITIONAL}; see {@link #applyIfUnchanged}).</li>
 *   <li><b>Verifies</b> ({@link #verify(TrafficSplit)}): GetChange on the ChangeInfo id of every
 *       request of the last write: PENDING until Route 53 reports INSYNC, then the records are read
 *       back and compared. It never waits itself; the plan polls it with backoff, bounded by its
 *       verify timeout.</li>
 *   <li><b>Preflight</b> (read only): GetHostedZone, every environment's record present and
 *       weighted, no unmapped weighted record taking a share, records inside the zone, and the
 *       Route 53 health check of each record that will receive traffic (when one is attached)
 *       reported healthy by more than {@linkplain Builder#healthyCheckerShare(double) half} of the
 *       checkers. It reports the longest TTL as the client convergence time, so the plan bakes its
 *       final stage at least one TTL and {@code SwitchResult.clientsFollowBy()} says when resolvers
 *       should have moved. Alias records have no TTL of their own: {@linkplain Builder#aliasTtl
 *       60 s} is assumed unless configured.</li>
 *   <li><b>Failures</b> become {@link RouterException}: transient for Throttling,
 *       PriorRequestNotComplete, 5xx, I/O errors and timeouts (the plan retries with backoff and
 *       jitter); permanent, with the AWS code and message, for InvalidChangeBatch, NoSuchHostedZone,
 *       InvalidInput, AccessDenied and the rest. The router itself never retries or sleeps.</li>
 * </ul>
 *
 * <p>Thread-safe. The IAM actions it needs are listed in the module's README:
 * route53:ListResourceRecordSets, route53:ChangeResourceRecordSets, route53:GetChange,
 * route53:GetHostedZone and route53:GetHealthCheckStatus.
 */
public final class WeightedRecordRouter implements Router {

  private static final Logger LOG = LoggerFactory.getLogger(WeightedRecordRouter.class);
  private static final int MAX_COMMENT = 256;
  private static final int REMEMBERED_SPLITS_PER_GROUP = 8;

  private final Route53Client route53;
  private final String zoneId;
  private final List<WeightedRecord> records;
  private final Map<Key, WeightedRecord> byKey;
  private final Map<Key, Integer> expectedCounts;
  private final List<Environment> environments;
  private final String routeId;
  private final Duration aliasTtl;
  private final double healthyCheckerShare;
  private final boolean checkTargetHealth;
  private final ChangeBatchLimits limits;
  private final boolean conditionalWrites;
  private final RouterCapabilities capabilities;

  /**
   * The split last written, the ids of its requests not yet seen INSYNC, and the groups whose
   * request got no answer (it may have landed without the router learning its change id).
   */
  private final AtomicReference<WriteState> lastWrite = new AtomicReference<>();
  /** The hosted zone's name, once read. */
  private volatile String zoneName;
  /** Per group: weights read that are not plain percents, by the split they read as. */
  private final Map<Key, Map<TrafficSplit, Map<Environment, Long>>> rememberedWeights = new ConcurrentHashMap<>();
  /**
   * Per group, the records exactly as last read (any read) or written: what a conditional write
   * DELETEs. A group is dropped when a read finds a problem with it or a write of it got no answer
   * or was refused.
   */
  private final Map<Key, Observed> held = new ConcurrentHashMap<>();

  /** A conditional write Route 53 refused because a DELETE did not match the records (another writer). */
  private static final class GuardRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RouterException failure;

    /** Whether earlier requests of the same write landed (a fleet written in several requests). */
    private final boolean landed;

    GuardRefused(RouterException failure, boolean landed) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
      this.landed = landed;
    }
  }

  private record WriteState(TrafficSplit split, List<String> pendingChangeIds, int batches, Set<Key> unanswered) {
  }

  /** One group as read: each environment's record and weight, and the split they make. */
  private record Observed(WeightedRecord record, Map<Environment, ResourceRecordSet> byEnvironment,
      Map<Environment, Long> weights, TrafficSplit split) {
  }

  /**
   * What was read: groups that map to a split, the problems found by group, and the groups in a
   * state no environment maps to (traffic on a record no environment owns), described.
   */
  private record Reading(List<Observed> groups, Map<Key, List<String>> problemsByGroup, List<String> unmapped) {
    List<String> problems() {
      return problemsByGroup.values().stream().flatMap(List::stream).toList();
    }
  }

  private WeightedRecordRouter(Builder b) {
    this.route53 = Checks.notNull(b.route53, "route53 client");
    this.zoneId = Route53Names.hostedZoneId(b.hostedZoneId);
    if (b.records.isEmpty()) {
      throw new InvalidConfigurationException("no record to switch: add one with .record(\"api.example.com\", \"A\","
          + " blue, \"api-blue\", green, \"api-green\")");
    }
    this.records = List.copyOf(b.records);
    WeightedRecord first = records.get(0);
    Map<Key, WeightedRecord> keys = new LinkedHashMap<>();
    Map<Key, Integer> counts = new LinkedHashMap<>();
    for (WeightedRecord r : records) {
      if (!r.setIdentifiers().keySet().equals(first.setIdentifiers().keySet())) {
        throw new InvalidConfigurationException("record " + r + " maps environments " + r.environments()
            + " but " + first + " maps " + first.environments() + ": every record of one router must map the same environments");
      }
      Key key = new Key(r.name(), r.type().toString());
      if (keys.putIfAbsent(key, r) != null) {
        throw new InvalidConfigurationException("record " + key + " is listed twice: list each name and type once");
      }
      counts.put(key, r.setIdentifiers().size());
    }
    this.byKey = Collections.unmodifiableMap(keys);
    this.expectedCounts = Collections.unmodifiableMap(counts);
    this.environments = first.environments();
    this.aliasTtl = Checks.nonNegative(b.aliasTtl, "aliasTtl");
    this.healthyCheckerShare = b.healthyCheckerShare;
    this.checkTargetHealth = b.checkTargetHealth;
    this.limits = Checks.notNull(b.limits, "changeBatchLimits");
    this.conditionalWrites = b.conditionalWrites;
    if (conditionalWrites) {
      int changes = 2 * environments.size(); // a DELETE and a CREATE per record of a group
      if (limits.maxChanges() < changes || limits.maxResourceRecordElements() < changes) {
        throw new InvalidConfigurationException("conditionalWrites(true) writes each record group as " + changes
            + " changes (a DELETE and a CREATE per record) in one request, but " + limits + " cannot carry them: raise"
            + " maxChanges and maxResourceRecordElements to at least " + changes + ", or use conditionalWrites(false)");
      }
      Optional<String> host = nonAwsEndpointHost(route53);
      if (host.isPresent() && !b.endpointEnforcesExactDeletes) {
        throw new InvalidConfigurationException("conditionalWrites(true) relies on Route 53 refusing a DELETE whose values"
            + " differ from the record's, but the Route53Client's endpoint override points at " + host.get()
            + ", not at Route 53 (*.amazonaws.com). An emulator may not refuse it: moto 5.2.5 deletes a weighted record by"
            + " its SetIdentifier whatever its values, in every record group of the zone, so this mode would write over"
            + " another writer and could delete other groups' records. Build the router without conditionalWrites(true)"
            + " (the default reads before each write and is safe anywhere), or, if this endpoint enforces Route 53's"
            + " ChangeBatch rules (a DELETE must match exactly; a request applies whole or not at all), say so with"
            + " endpointEnforcesExactDeletes(true)");
      }
    }
    this.routeId = b.routeId != null ? Checks.notBlank(b.routeId, "routeId") : defaultRouteId(zoneId, records);
    this.capabilities = RouterCapabilities.builder().weighted(true).maxEnvironments(environments.size())
        .writeGuard(conditionalWrites ? WriteGuard.CONDITIONAL : WriteGuard.READ_THEN_WRITE).build();
  }

  /** AWS's own endpoint domains (commercial, China, dual-stack and the isolated partitions). */
  private static final List<String> AWS_ENDPOINT_DOMAINS =
      List.of(".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov");

  /**
   * The host of the client's endpoint override when it is not one of AWS's own domains; empty when
   * the client has no override, points at AWS, or cannot say (a mock or a hand-written client).
   */
  private static Optional<String> nonAwsEndpointHost(Route53Client route53) {
    URI endpoint;
    try {
      var config = route53.serviceClientConfiguration();
      endpoint = config == null ? null : config.endpointOverride().orElse(null);
    } catch (UnsupportedOperationException e) {
      return Optional.empty();
    }
    if (endpoint == null) {
      return Optional.empty();
    }
    String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
    boolean aws = AWS_ENDPOINT_DOMAINS.stream().anyMatch(host::endsWith);
    return aws ? Optional.empty() : Optional.of(host.isEmpty() ? "an endpoint with no host" : host
        + (endpoint.getPort() >= 0 ? ":" + endpoint.getPort() : ""));
  }

  private static String defaultRouteId(String zoneId, List<WeightedRecord> records) {
    if (records.size() == 1) {
      return "route53/" + zoneId + "/" + records.get(0).name() + "/" + records.get(0).type();
    }
    String all = records.stream().map(r -> r.name() + " " + r.type()).sorted().collect(Collectors.joining("\n"));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8));
      return "route53/" + zoneId + "/" + records.size() + "-records-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * @param route53 the Route 53 client to use (its credentials, region, retries and HTTP client are yours)
   * @return a builder
   */
  public static Builder builder(Route53Client route53) {
    return new Builder(route53);
  }

  @Override
  public String routeId() {
    return routeId;
  }

  @Override
  public List<Environment> environments() {
    return environments;
  }

  @Override
  public RouterCapabilities capabilities() {
    return capabilities;
  }

  /** @return the bare hosted zone id */
  public String hostedZoneId() {
    return zoneId;
  }

  /** @return the record groups this router moves together */
  public List<WeightedRecord> records() {
    return records;
  }

  /** @return the limits each ChangeResourceRecordSets request is kept within */
  public ChangeBatchLimits changeBatchLimits() {
    return limits;
  }

  /** @return whether writes are conditional (a DELETE of each record as last read or written, and a CREATE) */
  public boolean conditionalWrites() {
    return conditionalWrites;
  }

  /** @return the TTL assumed for alias records, which have none of their own */
  public Duration aliasTtl() {
    return aliasTtl;
  }

  // -------------------------------------------------------------------------------------------
  // reads

  @Override
  public TrafficSplit current() {
    return aggregate(requireOk(read()).groups());
  }

  /**
   * Reads the records and returns the longest TTL among them: how long a resolver may keep
   * answering with the weights it saw before a change. Alias records count as {@link #aliasTtl()}.
   *
   * @return the longest TTL
   * @throws RouterException if the records cannot be read
   */
  public Duration maxTtl() {
    return maxTtl(requireOk(read()).groups());
  }

  private Duration maxTtl(List<Observed> groups) {
    long max = 0;
    for (Observed o : groups) {
      for (ResourceRecordSet r : o.byEnvironment().values()) {
        long ttl = r.ttl() != null ? r.ttl() : aliasTtl.getSeconds();
        max = Math.max(max, ttl);
      }
    }
    return Duration.ofSeconds(max);
  }

  private Reading read() {
    Map<Key, List<ResourceRecordSet>> raw = RecordReader.read(route53, zoneId, expectedCounts);
    List<Observed> groups = new ArrayList<>();
    Map<Key, List<String>> problemsByGroup = new LinkedHashMap<>();
    List<String> unmapped = new ArrayList<>();
    for (var entry : byKey.entrySet()) {
      List<String> problems = new ArrayList<>();
      WeightedRecord record = entry.getValue();
      Map<String, ResourceRecordSet> bySetId = new LinkedHashMap<>();
      for (ResourceRecordSet r : raw.getOrDefault(entry.getKey(), List.of())) {
        bySetId.put(r.setIdentifier() == null ? "" : r.setIdentifier(), r);
      }
      Map<Environment, ResourceRecordSet> byEnv = new LinkedHashMap<>();
      Map<Environment, Long> weights = new LinkedHashMap<>();
      int before = problems.size();
      for (var e : record.setIdentifiers().entrySet()) {
        ResourceRecordSet r = bySetId.remove(e.getValue());
        if (r == null) {
          problems.add(entry.getKey() + " has no record with SetIdentifier \"" + e.getValue() + "\" (environment "
              + e.getKey().name() + ") in zone " + zoneId + ": create that weighted record (weight 0 if it should get no traffic yet)"
              + " or fix the router's SetIdentifier mapping");
        } else if (r.weight() == null) {
          problems.add(entry.getKey() + " record \"" + e.getValue() + "\" (environment " + e.getKey().name()
              + ") is not a weighted record: give it a weighted routing policy");
        } else {
          byEnv.put(e.getKey(), r);
          weights.put(e.getKey(), r.weight());
        }
      }
      long managedSum = weights.values().stream().mapToLong(Long::longValue).sum();
      boolean foreignTraffic = false;
      for (ResourceRecordSet other : bySetId.values()) {
        if (other.weight() == null || other.weight() > 0 || managedSum == 0) {
          problems.add(entry.getKey() + " also has record \"" + other.setIdentifier() + "\""
              + (other.weight() == null ? " that is not weighted" : " with weight " + other.weight())
              + ", which no environment maps, so the split cannot be known: map it to an environment or set its weight to 0");
          foreignTraffic = true;
        }
      }
      if (problems.size() > before) {
        held.remove(entry.getKey());
        problemsByGroup.put(entry.getKey(), problems);
        if (foreignTraffic) {
          // traffic on a record no environment owns (even with an environment's record gone): a state, not a broken configuration
          unmapped.add(entry.getKey() + " weights " + weightsOf(raw.getOrDefault(entry.getKey(), List.of())));
        }
        continue;
      }
      TrafficSplit split = WeightMath.toSplit(weights);
      Observed observed = new Observed(record, byEnv, weights, split);
      groups.add(observed);
      held.put(entry.getKey(), observed);
      if (!WeightMath.isCanonical(weights)) {
        remember(entry.getKey(), split, weights);
      }
    }
    return new Reading(groups, problemsByGroup, unmapped);
  }

  /** The zone's name, read once (GetHostedZone) and kept: a zone id never changes its name. */
  private String zoneName() {
    String name = zoneName;
    if (name == null) {
      try {
        name = route53.getHostedZone(r -> r.id(zoneId)).hostedZone().name();
      } catch (SdkException e) {
        throw Route53Errors.wrap(route53, "GetHostedZone " + zoneId, e);
      }
      zoneName = name;
    }
    return name;
  }

  /**
   * The problems to report: a record outside the zone is said to be so (its "missing" weighted
   * records are only a consequence, and creating them is impossible), then every other problem.
   */
  private List<String> problemsWithZone(String zone, Reading reading) {
    List<String> problems = new ArrayList<>();
    Set<Key> outside = new LinkedHashSet<>();
    for (var e : byKey.entrySet()) {
      if (!Route53Names.isInZone(e.getKey().name(), zone)) {
        outside.add(e.getKey());
        problems.add(e.getKey().name() + " is not inside zone " + zoneId + " (" + zone + "): set hostedZoneId to the zone that holds "
            + e.getKey().name() + ", or use a record name that ends in " + zone);
      }
    }
    reading.problemsByGroup().forEach((key, list) -> {
      if (!outside.contains(key)) {
        problems.addAll(list);
      }
    });
    return problems;
  }

  private void remember(Key key, TrafficSplit split, Map<Environment, Long> weights) {
    Map<TrafficSplit, Map<Environment, Long>> m = rememberedWeights.computeIfAbsent(key,
        k -> Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<TrafficSplit, Map<Environment, Long>> eldest) {
            return size() > REMEMBERED_SPLITS_PER_GROUP;
          }
        }));
    m.put(split, Map.copyOf(weights));
  }

  private Reading requireOk(Reading reading) {
    if (!reading.problemsByGroup().isEmpty()) {
      if (reading.unmapped().size() == reading.problemsByGroup().size()) {
        // every problem is traffic on records no environment maps: a state, not a broken configuration
        throw new UnmappedRouteStateException(routeId, String.join("; ", reading.unmapped()), describeProblems(reading.problems()));
      }
      List<String> problems;
      try {
        problems = problemsWithZone(zoneName(), reading);  // one GetHostedZone, only when something is wrong
      } catch (RouterException cannotTell) {
        problems = reading.problems();
      }
      throw RouterException.permanentFailure(describeProblems(problems), null);
    }
    return reading;
  }

  /** @return the weight of every record of a group by SetIdentifier, e.g. "api-blue=0 api-green=0 api-red=100" */
  private static String weightsOf(List<ResourceRecordSet> records) {
    return records.stream().map(r -> (r.setIdentifier() == null ? "(no SetIdentifier)" : r.setIdentifier()) + "="
        + (r.weight() == null ? "unweighted" : String.valueOf(r.weight()))).collect(Collectors.joining(" "));
  }

  private String describeProblems(List<String> problems) {
    String shown = problems.stream().limit(5).collect(Collectors.joining("; "));
    return routeId + ": " + shown + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : "");
  }

  /** The split most groups hold (the first group's on a tie); warns when groups disagree. */
  private TrafficSplit aggregate(List<Observed> groups) {
    Map<TrafficSplit, Integer> counts = new LinkedHashMap<>();
    for (Observed o : groups) {
      counts.merge(o.split(), 1, Integer::sum);
    }
    TrafficSplit best = null;
    int bestCount = -1;
    for (var e : counts.entrySet()) {
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    if (counts.size() > 1) {
      TrafficSplit majority = best;
      String differing = groups.stream().filter(o -> !o.split().equals(majority)).limit(3)
          .map(o -> o.record().name() + " " + o.record().type() + " at " + o.split()).collect(Collectors.joining(", "));
      LOG.warn("{}: record groups disagree: {} of {} hold {}, others differ (e.g. {})", routeId, bestCount, groups.size(),
          majority, differing);
    }
    return best.orderedAs(environments);
  }

  // -------------------------------------------------------------------------------------------
  // writes

  @Override
  public void apply(TrafficSplit target) {
    validate(target);
    try {
      write(requireOk(read()).groups(), target, null);
    } catch (GuardRefused refused) {
      throw refused.failure; // conditional: another writer changed the records between the read and the write
    }
  }

  /**
   * The router's own write guard. By default ({@link WriteGuard#READ_THEN_WRITE}; Route 53's
   * UPSERT is not conditional) the record fleet is read once (the drift check against {@code
   * expected}), the groups not at the target are written, and the answer is {@link
   * #verify(TrafficSplit)}: GetChange of the write's changes, PENDING until they are INSYNC, then one
   * read of the fleet. A stage thus lists the fleet twice, where the engine's read, apply (read,
   * write) and verify listed it three times.
   *
   * <p>With {@link Builder#conditionalWrites(boolean) conditionalWrites(true)} ({@link
   * WriteGuard#CONDITIONAL}) the write goes out first when the records the router holds (as last
   * read or written) are at {@code expected}: each group not at the target is a DELETE of its
   * records exactly as held and a CREATE of the same records with the new weights, which Route 53
   * applies whole or refuses whole. A refusal is read once: the target already in place is
   * reported so; weights still as held (another field such as the TTL changed) are written once more
   * from the records just read; anything else is drift, never written over. Holding nothing (a fresh
   * router) or something else, it reads once first, as by default. A write answered INSYNC is its
   * own verification (the records are the ones just created); a PENDING one is verified by GetChange
   * until INSYNC and one read.
   */
  @Override
  public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    validate(target);
    Checks.notNull(expected, "expected");
    List<Observed> groups = conditionalWrites ? heldAt(expected, target) : null;
    if (groups == null) {
      groups = requireOk(read()).groups();
      TrafficSplit now = aggregate(groups);
      if (!now.equals(expected) && !now.equals(target)) {
        LOG.warn("{} holds {}, not {}: another writer changed it; not writing {}", routeId, now, expected, target);
        throw new DriftDetectedException(expected, now, routeId);
      }
    } else {
      LOG.debug("{}: writing {} first, conditional on the records last read or written ({})", routeId, target, expected);
    }
    boolean written;
    try {
      written = write(groups, target, purpose);
    } catch (GuardRefused refused) {
      return afterRefusal(expected, target, purpose, groups, refused);
    }
    return answer(written, target);
  }

  /**
   * @return every group as held, when each holds {@code expected} or {@code target} and one at least
   *     is not at the target yet; null when the router must read first
   */
  private List<Observed> heldAt(TrafficSplit expected, TrafficSplit target) {
    List<Observed> groups = new ArrayList<>();
    boolean toWrite = false;
    for (Key key : byKey.keySet()) {
      Observed o = held.get(key);
      if (o == null || !(o.split().equals(expected) || o.split().equals(target))) {
        return null;
      }
      toWrite |= !o.split().equals(target);
      groups.add(o);
    }
    return toWrite ? groups : null;
  }

  /**
   * Route 53 refused a conditional write: one read says why. The target in place: done. Every
   * group at the weights it held before or at the target (a non-weight field such as the TTL
   * changed): written once more from the records just read. Else drift, naming a group's split.
   */
  private WriteResult afterRefusal(TrafficSplit expected, TrafficSplit target, WritePurpose purpose, List<Observed> before,
      GuardRefused refused) {
    Map<Key, TrafficSplit> splitBefore = new LinkedHashMap<>();
    before.forEach(o -> splitBefore.put(keyOf(o), o.split()));
    boolean landed = refused.landed;
    boolean retried = false;
    GuardRefused last = refused;
    while (true) {
      LOG.info("{}: Route 53 refused the conditional write of {} ({}); reading the records once", routeId, target, last.getMessage());
      List<Observed> fresh = requireOk(read()).groups();
      if (fresh.stream().allMatch(o -> o.split().equals(target))) {
        LOG.info("{}: the records already hold {}", routeId, target);
        return landed ? answer(true, target) : WriteResult.alreadyInPlace(Verification.verified(target.orderedAs(environments)));
      }
      Optional<Observed> moved = fresh.stream()
          .filter(o -> !o.split().equals(target) && !o.split().equals(splitBefore.get(keyOf(o)))).findFirst();
      if (moved.isEmpty() && !retried) {
        retried = true;
        LOG.info("{}: the weights are as this router last saw them but another field of the records changed; writing {} again"
            + " from the records just read", routeId, target);
        try {
          boolean written = write(fresh, target, purpose);
          return answer(written || landed, target);
        } catch (GuardRefused again) {
          landed |= again.landed;
          last = again;
          continue;
        }
      }
      TrafficSplit found = moved.map(Observed::split).orElseGet(() -> aggregate(fresh));
      LOG.warn("{}: another writer changed the records ({} {} holds {}, not {}); not writing {}{}", routeId,
          moved.map(o -> o.record().name()).orElse(""), moved.map(o -> o.record().type().toString()).orElse(""), found, expected,
          target, landed ? " (earlier requests of this write landed: the records are partly moved, as read)" : "");
      throw new DriftDetectedException(expected, found, routeId);
    }
  }

  /** The answer to a guarded write: a conditional write answered INSYNC is verified by itself; else {@link #verify}. */
  private WriteResult answer(boolean written, TrafficSplit target) {
    WriteState state = lastWrite.get();
    Verification verification;
    if (conditionalWrites && written && state != null && state.split().equals(target) && state.pendingChangeIds().isEmpty()
        && state.unanswered().isEmpty()) {
      // applied whole and INSYNC: the records are exactly the ones just created
      verification = Verification.verified(target.orderedAs(environments));
    } else {
      verification = verify(target);
    }
    return written ? WriteResult.written(verification) : WriteResult.alreadyInPlace(verification);
  }

  private static Key keyOf(Observed o) {
    return new Key(o.record().name(), o.record().type().toString());
  }

  /** @return whether a write failure is Route 53 refusing a DELETE: the records are not as the router held them */
  private static boolean isGuardRefusal(SdkException e) {
    if (!(e instanceof AwsServiceException aws) || aws.awsErrorDetails() == null
        || !"InvalidChangeBatch".equals(aws.awsErrorDetails().errorCode())) {
      return false;
    }
    String message = aws.awsErrorDetails().errorMessage();
    return message != null && message.contains("Tried to delete resource record set")
        && (message.contains("do not match the current values") || message.contains("but it was not found"));
  }

  /** @return whether a request went out; false when every group already held {@code target} */
  private boolean write(List<Observed> groups, TrafficSplit target, WritePurpose purpose) {
    Map<Environment, Long> percentWeights = WeightMath.toRecordWeights(target, environments);
    WriteState previous = lastWrite.get();
    boolean sameTarget = previous != null && previous.split().equals(target);
    // groups whose last write of this target got no answer: if they read as the target, that write
    // may have landed with a change id we never saw, so write them again to get one to wait for
    Set<Key> unanswered = sameTarget ? previous.unanswered() : Set.of();
    List<List<Change>> changes = new ArrayList<>();
    Map<Key, Observed> written = new LinkedHashMap<>();
    int rewrites = 0;
    for (Observed o : groups) {
      Key key = keyOf(o);
      if (o.split().equals(target)) {
        if (!unanswered.contains(key)) {
          continue;
        }
        rewrites++;
      }
      Map<Environment, Long> desired = desiredWeights(key, target, percentWeights);
      changes.add(changes(o, desired));
      written.put(key, rewritten(o, desired));
    }
    List<String> carried = sameTarget ? previous.pendingChangeIds() : List.of();
    if (changes.isEmpty()) {
      lastWrite.set(new WriteState(target, carried, sameTarget ? previous.batches() : 0, Set.of()));
      LOG.debug("{}: {} already in place, nothing written", routeId, target);
      return false;
    }
    if (rewrites > 0) {
      LOG.info("{}: the last write of {} got no answer but {} of its record groups already read as {}; writing them again,"
          + " unchanged, to have a change to wait for INSYNC", routeId, target, rewrites, target);
    }
    if (ChangeBatchPlanner.splitsAGroup(changes, limits)) {
      if (conditionalWrites) {
        // a DELETE and its CREATE in two requests would leave the record missing in between
        throw RouterException.permanentFailure(routeId + ": a record group alone exceeds " + limits + " as a conditional write"
            + " (a DELETE and a CREATE per record), so it cannot be written in one request; nothing was written. Raise"
            + " changeBatchLimits if Route 53's quotas allow, or build the router with conditionalWrites(false)", null);
      }
      LOG.warn("{}: a record group alone exceeds {}; its records are written in several requests and switch one request at a time",
          routeId, limits);
    }
    List<List<Change>> batches = ChangeBatchPlanner.plan(changes, limits);
    List<String> ids = new ArrayList<>(carried);
    Set<Key> stillUnanswered = new LinkedHashSet<>(unanswered);
    try {
      for (int i = 0; i < batches.size(); i++) {
        List<Change> batch = batches.get(i);
        String suffix = batches.size() > 1 ? " (request " + (i + 1) + "/" + batches.size() + ")" : "";
        String comment = "bluegreen " + routeId + ": " + target + suffix;
        if (comment.length() > MAX_COMMENT) {
          comment = comment.substring(0, MAX_COMMENT);
        }
        ChangeBatch changeBatch = ChangeBatch.builder().comment(comment).changes(batch).build();
        ChangeInfo info;
        try {
          info = route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(changeBatch)).changeInfo();
        } catch (SdkException e) {
          keysOf(batch).forEach(held::remove); // not known any more: the next conditional write reads first
          if (!(e instanceof SdkServiceException)) {
            // no answer from Route 53: the batch may have been applied all the same
            stillUnanswered.addAll(keysOf(batch));
          }
          RouterException failure = Route53Errors.wrap(route53, "ChangeResourceRecordSets on zone " + zoneId + " writing " + target
              + suffix, e);
          if (conditionalWrites && isGuardRefusal(e)) {
            throw new GuardRefused(failure, i > 0);
          }
          throw failure;
        }
        stillUnanswered.removeAll(keysOf(batch));
        for (Key key : keysOf(batch)) {
          held.put(key, written.get(key));
        }
        LOG.info("{}: wrote {}{}{}: {} record changes, change {} is {}", routeId, target, suffix,
            purpose == WritePurpose.ROLLBACK ? " (rollback)" : "", batch.size(), info.id(), info.statusAsString());
        if (info.status() != ChangeStatus.INSYNC) {
          ids.add(info.id());
        }
      }
    } finally {
      lastWrite.set(new WriteState(target, List.copyOf(new LinkedHashSet<>(ids)), batches.size(), Set.copyOf(stillUnanswered)));
    }
    return true;
  }

  /** The weights a write of {@code target} gives a group: the exact ones first read for that split, else percents. */
  private Map<Environment, Long> desiredWeights(Key key, TrafficSplit target, Map<Environment, Long> percentWeights) {
    Map<Environment, Long> desired = Optional.ofNullable(rememberedWeights.get(key)).map(m -> m.get(target)).orElse(percentWeights);
    WeightMath.checkWritable(desired);
    return desired;
  }

  /**
   * Each record of the group rebuilt from what was read, with only its weight changed: an UPSERT,
   * or (conditional writes) a DELETE of the record exactly as held followed by a CREATE.
   */
  private List<Change> changes(Observed o, Map<Environment, Long> desired) {
    List<Change> group = new ArrayList<>();
    for (Environment e : environments) {
      ResourceRecordSet read = o.byEnvironment().get(e);
      ResourceRecordSet next = read.toBuilder().weight(desired.get(e)).build();
      if (conditionalWrites) {
        group.add(Change.builder().action(ChangeAction.DELETE).resourceRecordSet(read).build());
        group.add(Change.builder().action(ChangeAction.CREATE).resourceRecordSet(next).build());
      } else {
        group.add(Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(next).build());
      }
    }
    return group;
  }

  /** The group as it will be once {@code desired} is written. */
  private static Observed rewritten(Observed o, Map<Environment, Long> desired) {
    Map<Environment, ResourceRecordSet> records = new LinkedHashMap<>();
    o.byEnvironment().forEach((e, r) -> records.put(e, r.toBuilder().weight(desired.get(e)).build()));
    return new Observed(o.record(), records, Map.copyOf(desired), WeightMath.toSplit(desired));
  }

  /**
   * One read (ListResourceRecordSets of the groups): the records a write of {@code target} would
   * change with their new weights, in how many requests, and what it keeps.
   */
  @Override
  public Optional<WriteDescription> describeWrite(TrafficSplit target) {
    validate(target);
    List<Observed> groups = requireOk(read()).groups();
    Map<Environment, Long> percentWeights = WeightMath.toRecordWeights(target, environments);
    List<List<Change>> changes = new ArrayList<>();
    List<String> shown = new ArrayList<>();
    for (Observed o : groups) {
      if (o.split().equals(target)) {
        continue;
      }
      Key key = keyOf(o);
      Map<Environment, Long> desired = desiredWeights(key, target, percentWeights);
      changes.add(changes(o, desired));
      if (shown.size() < 3) {
        shown.add(o.record().name() + " " + o.record().type() + " " + environments.stream()
            .map(e -> "\"" + o.record().setIdentifier(e) + "\" weight " + desired.get(e)).collect(Collectors.joining(", ")));
      }
    }
    if (changes.isEmpty()) {
      return Optional.of(WriteDescription.of("nothing: every record group already holds " + target, "every record of zone " + zoneId));
    }
    int requests = ChangeBatchPlanner.plan(changes, limits).size();
    String more = changes.size() > shown.size() ? "; and " + (changes.size() - shown.size()) + " more record groups" : "";
    String how = conditionalWrites ? "DELETE (each record exactly as read, so that Route 53 refuses the request if another writer"
        + " changed it) and CREATE with the new weight: " : "UPSERT ";
    return Optional.of(WriteDescription.of("ChangeResourceRecordSets on zone " + zoneId + " (" + requests + " request"
        + (requests == 1 ? "" : "s") + "): " + how + String.join("; ", shown) + more,
        "the TTL, values, alias target, health check and every other field of those records",
        "every other record of zone " + zoneId));
  }

  private static Set<Key> keysOf(List<Change> batch) {
    Set<Key> keys = new LinkedHashSet<>();
    for (Change c : batch) {
      keys.add(new Key(Route53Names.normaliseRead(c.resourceRecordSet().name()), c.resourceRecordSet().typeAsString()));
    }
    return keys;
  }

  // -------------------------------------------------------------------------------------------
  // verify

  @Override
  public Verification verify(TrafficSplit expected) {
    WriteState state = lastWrite.get();
    if (state != null && state.split().equals(expected)) {
      for (String id : state.pendingChangeIds()) {
        ChangeInfo info;
        try {
          info = route53.getChange(r -> r.id(id)).changeInfo();
        } catch (SdkException e) {
          throw Route53Errors.wrap(route53, "GetChange " + id, e);
        }
        if (info.status() != ChangeStatus.INSYNC) {
          int pending = lastWrite.get().pendingChangeIds().size();
          return Verification.pending("change " + id + " is " + info.statusAsString()
              + (state.batches() > 1 ? " (" + pending + " of " + state.batches() + " requests not yet INSYNC)" : ""));
        }
        lastWrite.updateAndGet(s -> s == null || !s.split().equals(expected) ? s
            : new WriteState(s.split(), s.pendingChangeIds().stream().filter(x -> !x.equals(id)).toList(), s.batches(), s.unanswered()));
      }
    }
    List<Observed> groups = requireOk(read()).groups();
    List<Observed> off = groups.stream().filter(o -> !o.split().equals(expected)).toList();
    if (off.isEmpty()) {
      if (state != null && state.split().equals(expected) && !state.unanswered().isEmpty()) {
        LOG.warn("{}: {} reads back, but the request that wrote {} got no answer, so there is no change id to wait for INSYNC;"
            + " Route 53 DNS servers may serve the previous weights for up to about a minute more (apply it again to get a change"
            + " to wait for)", routeId, expected, state.unanswered());
      }
      return Verification.verified(expected.orderedAs(environments));
    }
    if (groups.size() == 1) {
      return Verification.compare(expected, off.get(0).split().orderedAs(environments));
    }
    TrafficSplit majority = aggregate(groups);
    if (!majority.equals(expected)) {
      return Verification.compare(expected, majority);
    }
    return Verification.pending(off.size() + " of " + groups.size() + " record groups do not read back " + expected + ", e.g. "
        + off.stream().limit(3).map(o -> o.record().name() + " " + o.record().type() + " at " + o.split())
            .collect(Collectors.joining(", ")));
  }

  // -------------------------------------------------------------------------------------------
  // preflight

  @Override
  public PreflightReport preflight(TrafficSplit target) {
    validate(target);
    List<String> problems = new ArrayList<>();
    GetHostedZoneResponse zone;
    try {
      zone = route53.getHostedZone(r -> r.id(zoneId));
    } catch (NoSuchHostedZoneException e) {
      List<String> secrets = Route53Errors.secretsOf(route53);
      throw new PreflightException("hosted zone " + zoneId + " does not exist (" + Redaction.text(e.awsErrorDetails().errorMessage(), secrets)
          + "): set the router's hostedZoneId to the id of the zone that holds " + records.get(0).name(), Route53Errors.redacted(e, secrets));
    } catch (SdkException e) {
      throw preflightFailure(Route53Errors.wrap(route53, "GetHostedZone " + zoneId, e));
    }
    this.zoneName = zone.hostedZone().name();
    Reading reading;
    try {
      reading = read();
    } catch (RouterException e) {
      throw preflightFailure(e);
    }
    problems.addAll(problemsWithZone(zone.hostedZone().name(), reading));
    if (conditionalWrites) {
      for (Observed o : reading.groups()) {
        if (!limits.fits(changes(o, o.weights()))) {
          problems.add(o.record().name() + " " + o.record().type() + " as a conditional write (a DELETE and a CREATE per record) does"
              + " not fit in one request within " + limits + ", and a group is never split across requests in this mode: raise"
              + " changeBatchLimits if Route 53's quotas allow, or build the router with conditionalWrites(false)");
        }
      }
    }
    List<String> notHealthyYet = new ArrayList<>();
    if (checkTargetHealth) {
      problems.addAll(checkHealth(target, reading.groups(), notHealthyYet));
    }
    if (!problems.isEmpty() && problems.size() == notHealthyYet.size()) {
      // only endpoints that are not healthy yet: a plan checks again within its gate grace
      throw PreflightException.notReady("preflight of " + describeProblems(problems) + ". Nothing was written.");
    }
    if (!problems.isEmpty()) {
      throw new PreflightException("preflight of " + describeProblems(problems) + ". Nothing was written.");
    }
    Duration ttl = maxTtl(reading.groups());
    boolean anyAlias = reading.groups().stream().flatMap(o -> o.byEnvironment().values().stream()).anyMatch(r -> r.ttl() == null);
    PreflightReport.Builder report = PreflightReport.builder().clientConvergence(ttl);
    report.notice("DNS: Route 53 serves each write once its change is INSYNC, but resolvers may cache the previous answer for"
        + " the record's TTL; the longest TTL of the " + reading.groups().size() * environments.size() + " records is "
        + ttl.getSeconds() + "s" + (anyAlias ? " (alias records, which have no TTL of their own, counted as "
        + aliasTtl.getSeconds() + "s)" : "") + ", so the final stage bakes at least that long by default");
    for (Observed o : reading.groups()) {
      if (!WeightMath.isCanonical(o.weights())) {
        report.notice(o.record().name() + " " + o.record().type() + " holds weights " + o.weights() + " (read as " + o.split()
            + "); stages write weights equal to percents, and a rollback to " + o.split() + " writes these exact weights back");
        break;
      }
    }
    return report.build();
  }

  private RuntimeException preflightFailure(RouterException e) {
    if (e.isTransient()) {
      return e; // let the plan retry
    }
    return new PreflightException("preflight of " + routeId + " could not read what it must check: " + e.getMessage(), e);
  }

  /**
   * @param notHealthyYet where to add (also) the problems that waiting may fix: no checker has
   *     reported yet, or too few report healthy
   * @return every problem
   */
  private List<String> checkHealth(TrafficSplit target, List<Observed> groups, List<String> notHealthyYet) {
    Map<String, List<String>> users = new LinkedHashMap<>();
    for (Environment e : target.receiving()) {
      for (Observed o : groups) {
        ResourceRecordSet r = o.byEnvironment().get(e);
        if (r != null && r.healthCheckId() != null) {
          users.computeIfAbsent(r.healthCheckId(), k -> new ArrayList<>())
              .add(o.record().name() + " " + o.record().type() + " \"" + r.setIdentifier() + "\" (" + e.name() + ")");
        }
      }
    }
    List<String> problems = new ArrayList<>();
    for (var entry : users.entrySet()) {
      String id = entry.getKey();
      String who = entry.getValue().get(0) + (entry.getValue().size() > 1 ? " and " + (entry.getValue().size() - 1) + " more" : "");
      HealthCheckVerdict verdict;
      try {
        verdict = HealthCheckVerdict.of(id, route53.getHealthCheckStatus(r -> r.healthCheckId(id)));
      } catch (NoSuchHealthCheckException e) {
        problems.add(who + " names health check " + id + ", which does not exist: attach an existing health check or remove it");
        continue;
      } catch (SdkException e) {
        RouterException wrapped = Route53Errors.wrap(route53, "GetHealthCheckStatus " + id, e);
        if (wrapped.isTransient()) {
          throw wrapped;
        }
        problems.add("cannot read health check " + id + " of " + who + ": " + wrapped.getMessage()
            + " (GetHealthCheckStatus cannot report on calculated health checks; build the router with"
            + " checkTargetHealth(false) to skip this check and gate on the health check's children instead)");
        continue;
      }
      if (verdict.total() == 0) {
        problems.add(who + " would receive traffic but no Route 53 health checker has reported on its health check " + id
            + " yet: wait for the first checks, or build the router with checkTargetHealth(false)");
        notHealthyYet.add(problems.get(problems.size() - 1));
      } else if (!verdict.isHealthy(healthyCheckerShare)) {
        problems.add(who + " would receive traffic but " + verdict.describe() + ", not more than "
            + Math.round(healthyCheckerShare * 100) + "%: make that endpoint healthy before switching");
        notHealthyYet.add(problems.get(problems.size() - 1));
      }
    }
    return problems;
  }

  @Override
  public String toString() {
    return "WeightedRecordRouter{" + routeId + ", " + (records.size() == 1 ? records.get(0).toString() : records.size() + " record groups")
        + "}";
  }

  /**
   * Builds a {@link WeightedRecordRouter}; {@link #build()} validates every input without calling
   * AWS.
   *
   * <pre>{@code
   * WeightedRecordRouter fleet = WeightedRecordRouter.builder(route53)
   *     .hostedZoneId("/hostedzone/Z0123456789ABCDEFGHIJ")
   *     .records(services.stream().map(s -> WeightedRecord.of(s + ".example.com", "CNAME",
   *         blue, s + "-blue", green, s + "-green")).toList())
   *     .aliasTtl(Duration.ofSeconds(60))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Route53Client route53;
    private String hostedZoneId;
    private final List<WeightedRecord> records = new ArrayList<>();
    private Duration aliasTtl = Duration.ofSeconds(60);
    private double healthyCheckerShare = 0.5;
    private boolean checkTargetHealth = true;
    private ChangeBatchLimits limits = ChangeBatchLimits.defaults();
    private boolean conditionalWrites;
    private boolean endpointEnforcesExactDeletes;
    private String routeId;

    private Builder(Route53Client route53) {
      if (route53 == null) {
        throw new InvalidConfigurationException("route53 client is null: pass Route53Client.create() or your own configured client");
      }
      this.route53 = route53;
    }

    /**
     * @param id the hosted zone id, e.g. {@code Z0123456789ABCDEFGHIJ} or {@code /hostedzone/Z0123456789ABCDEFGHIJ}
     * @return this builder
     */
    public Builder hostedZoneId(String id) {
      this.hostedZoneId = Route53Names.hostedZoneId(id);
      return this;
    }

    /**
     * @param record a record group to move
     * @return this builder
     */
    public Builder record(WeightedRecord record) {
      records.add(Checks.notNull(record, "record"));
      return this;
    }

    /**
     * @param name the record name, e.g. {@code api.example.com}
     * @param type the record type, e.g. {@code "A"}
     * @param first the first environment in display order, e.g. blue
     * @param firstSetIdentifier the SetIdentifier of its weighted record
     * @param second the second environment, e.g. green
     * @param secondSetIdentifier the SetIdentifier of its weighted record
     * @return this builder
     */
    public Builder record(String name, String type, Environment first, String firstSetIdentifier, Environment second,
        String secondSetIdentifier) {
      return record(WeightedRecord.of(name, type, first, firstSetIdentifier, second, secondSetIdentifier));
    }

    /**
     * @param name the record name, e.g. {@code api.example.com}
     * @param type the record type, e.g. {@code "A"}
     * @param setIdentifiers each environment's SetIdentifier; its iteration order is the display
     *     order, so pass an ordered map (a {@code LinkedHashMap}; {@code Map.of} has no defined order)
     * @return this builder
     */
    public Builder record(String name, String type, Map<Environment, String> setIdentifiers) {
      return record(WeightedRecord.of(name, type, setIdentifiers));
    }

    /**
     * @param record configures a {@link WeightedRecord.Builder}
     * @return this builder
     */
    public Builder record(Consumer<WeightedRecord.Builder> record) {
      WeightedRecord.Builder b = WeightedRecord.builder();
      Checks.notNull(record, "record").accept(b);
      return record(b.build());
    }

    /**
     * @param records record groups to move together (a fleet); all must map the same environments
     * @return this builder
     */
    public Builder records(Collection<WeightedRecord> records) {
      Checks.notNull(records, "records").forEach(this::record);
      return this;
    }

    /**
     * @param ttl the TTL to assume for alias records, which have none of their own (default 60 s,
     *     the TTL Route 53 gives answers for alias records to most AWS targets)
     * @return this builder
     */
    public Builder aliasTtl(Duration ttl) {
      this.aliasTtl = Checks.nonNegative(ttl, "aliasTtl");
      return this;
    }

    /**
     * @param share preflight passes a record's health check when more than this share of Route 53's
     *     checkers report success (default 0.5; Route 53 itself uses 0.18)
     * @return this builder
     */
    public Builder healthyCheckerShare(double share) {
      if (!(share >= 0.0 && share < 1.0)) {
        throw new InvalidConfigurationException("healthyCheckerShare " + share + " is out of range: use 0.0 (any checker)"
            + " up to but not including 1.0; 0.5 means more than half");
      }
      this.healthyCheckerShare = share;
      return this;
    }

    /**
     * @param check whether preflight reads the Route 53 health check attached to each record that
     *     will receive traffic (default true)
     * @return this builder
     */
    public Builder checkTargetHealth(boolean check) {
      this.checkTargetHealth = check;
      return this;
    }

    /**
     * @param limits what one ChangeResourceRecordSets request may carry (default {@link ChangeBatchLimits#defaults()})
     * @return this builder
     */
    public Builder changeBatchLimits(ChangeBatchLimits limits) {
      this.limits = Checks.notNull(limits, "changeBatchLimits");
      return this;
    }

    /**
     * Makes every write conditional, so that a stage and a rollback write first, with no read before
     * them ({@link WriteGuard#CONDITIONAL}; default false: {@link WriteGuard#READ_THEN_WRITE}).
     * Each group is written as a DELETE of each record exactly as the router last read or wrote it
     * and a CREATE of the same record with its new weight, in one request. Route 53 refuses a DELETE
     * whose values do not match the record's current values, and applies a request whole or not at
     * all (<a href="https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html">ChangeResourceRecordSets</a>:
     * "To delete a resource record set, you must specify all the same values that you specified when
     * you created it"; "Route 53 validates the changes in the request and then either makes all or none
     * of the changes"), so another writer's change to any of those records refuses the whole request:
     * the router reads once and reports drift, writing nothing over it.
     *
     * <p>Use it against Route 53 itself. An emulator that does not enforce DELETE's exact match
     * (moto 5.2.5 deletes a weighted record by SetIdentifier whatever its values) loses the drift
     * check in this mode: another writer's weights would be written over. So {@link #build()}
     * refuses it on a client whose endpoint override is not an AWS domain, unless {@link
     * #endpointEnforcesExactDeletes(boolean) endpointEnforcesExactDeletes(true)} says that endpoint
     * checks ChangeBatches as Route 53 does. IAM: the writes are
     * {@code CREATE} and {@code DELETE} actions, not {@code UPSERT} (see the module README).
     *
     * <pre>{@code
     * WeightedRecordRouter.builder(route53).hostedZoneId("Z0123456789ABCDEFGHIJ")
     *     .record("api.example.com", "A", blue, "api-blue", green, "api-green")
     *     .conditionalWrites(true)
     *     .build();
     * }</pre>
     *
     * @param conditional whether writes are conditional
     * @return this builder
     */
    public Builder conditionalWrites(boolean conditional) {
      this.conditionalWrites = conditional;
      return this;
    }

    /**
     * Says that the endpoint the Route53Client points at (its endpoint override) enforces Route 53's
     * ChangeBatch rules — a DELETE must match the record's current values exactly, and a request
     * applies whole or not at all — although it is not an AWS endpoint (default false). Without it,
     * {@link #build()} refuses {@link #conditionalWrites(boolean) conditionalWrites(true)} on a
     * client whose endpoint override is not an AWS domain, because an emulator that does not enforce
     * those rules (moto 5.2.5) would let a conditional write delete and overwrite other writers'
     * records. It has no effect without conditional writes or on a client pointing at AWS.
     *
     * <pre>{@code
     * // a test endpoint that checks ChangeBatches as Route 53 does (this project's test moto)
     * WeightedRecordRouter.builder(emulatorClient).hostedZoneId(zoneId)
     *     .record("api.example.com", "A", blue, "api-blue", green, "api-green")
     *     .conditionalWrites(true)
     *     .endpointEnforcesExactDeletes(true)
     *     .build();
     * }</pre>
     *
     * @param enforces whether the overridden endpoint enforces Route 53's DELETE and all-or-nothing rules
     * @return this builder
     */
    public Builder endpointEnforcesExactDeletes(boolean enforces) {
      this.endpointEnforcesExactDeletes = enforces;
      return this;
    }

    /**
     * @param id the route id, the key of the route lock (default {@code route53/<zone>/<name>/<type>},
     *     or {@code route53/<zone>/<n>-records-<hash>} for several groups)
     * @return this builder
     */
    public Builder routeId(String id) {
      this.routeId = Checks.notBlank(id, "routeId");
      return this;
    }

    /**
     * @return the router
     * @throws InvalidConfigurationException naming the bad input and what to pass instead
     */
    public WeightedRecordRouter build() {
      if (hostedZoneId == null) {
        throw new InvalidConfigurationException("hostedZoneId is not set: pass the id of the zone that holds the records,"
            + " e.g. .hostedZoneId(\"Z0123456789ABCDEFGHIJ\")");
      }
      return new WeightedRecordRouter(this);
    }
  }
}
