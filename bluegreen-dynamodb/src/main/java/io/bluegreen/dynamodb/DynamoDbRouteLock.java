package io.bluegreen.dynamodb;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.internal.DynamoDbFailures;
import io.bluegreen.dynamodb.internal.LockItem;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * A {@link RouteLock} held in a DynamoDB item, so that two pipelines on two machines (CI runners, a
 * re-run while the first run still bakes, a hotfix racing a release) never switch the same ALB
 * listener or Route 53 record at once. One item per route id in a table whose partition key is
 * {@value #PARTITION_KEY} (string); create it with {@link #createTable(DynamoDbClient, String)} or the
 * CloudFormation/CLI definitions in the module's README.
 *
 * <pre>{@code
 * DynamoDbClient dynamo = DynamoDbClient.builder()
 *     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
 * RouteLock lock = DynamoDbRouteLock.builder(dynamo)
 *     .tableName("bluegreen-locks")
 *     .leaseDuration(Duration.ofSeconds(30))       // renewed every 10 s by default
 *     .build();
 * SwitchPlan.builder()...lock(lock).owner("release-pipeline#812@runner-7").build().execute();
 * // a second plan on the same route fails fast:
 * // ABORTED: route alb/... is locked by release-pipeline#812@runner-7 (DynamoDB table bluegreen-locks,
 * //   version 12, since 2026-03-02T10:15:00Z, expires at 2026-03-02T10:16:10Z unless renewed; ...)
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Acquire</b>: a consistent {@code GetItem}, then a conditional {@code PutItem}: the item is
 *       absent, or unchanged since it was read ({@code version} is the one read) and released or
 *       expired. The new item carries the owner, a random lease id, {@code acquiredAt},
 *       {@code expiresAt = now + leaseDuration} and {@code version} + 1. A live item (the same owner
 *       name included) fails at once with {@link LockUnavailableException} naming the holder, since
 *       when it holds the lock and when it expires, without any write. A put that loses a race fails
 *       the same way, naming the winner (read from the failed condition's {@code ALL_OLD} item).</li>
 *   <li><b>Fencing</b>: {@code version} goes up on every acquisition and is the lease's
 *       {@link RouteLock.Lease#fencingToken()}, reported in the plan's {@code LockAcquired} event.</li>
 *   <li><b>Heartbeat</b>: every {@link Builder#heartbeat(Duration)} a {@code PutItem} conditioned on
 *       this lease id moves {@code expiresAt} on. {@link RouteLock.Lease#isHeld()} turns false for good
 *       when a renewal finds the item taken or deleted, or when no renewal succeeded for a whole lease
 *       duration on this lock's time source (throttling, 5xx, network); the plan checks it before every
 *       write and stops, with {@link RouteLock.Lease#lossReason()} in its result.</li>
 *   <li><b>Release</b> ({@code close()}): a {@code PutItem} conditioned on this lease id that clears
 *       the owner and lease id but keeps {@code version}, so that the fencing counter survives the
 *       release (a delete would restart it at 1). A lock someone else took is left alone (not even
 *       tried when a heartbeat already found it taken).</li>
 *   <li><b>Takeover</b>: only once {@code expiresAt + clockSkewMargin} has passed on this lock's time
 *       source. The DynamoDB TTL attribute {@value #TTL_ATTRIBUTE} lets DynamoDB delete items idle for
 *       {@link Builder#staleItemTtl(Duration)} after their expiry or release.</li>
 * </ul>
 *
 * <h2>Clock skew: the margin this lock assumes</h2>
 * {@code expiresAt} is written on the holder's clock and judged on the contender's. The holder stops
 * writing when its own clock passes its last renewal + {@code leaseDuration}; a contender takes over
 * only when its clock passes {@code expiresAt} + {@link Builder#clockSkewMargin(Duration)} (default
 * 10 s). So the lock is safe as long as the margin exceeds the largest difference between two
 * runners' clocks plus the longest time a router write can take to land after the plan's last
 * {@code isHeld()} check (the router's call timeout, e.g. {@code AlbListenerRouter.Builder.callTimeout}).
 * Keep runners on NTP.
 *
 * <p>IAM: {@code dynamodb:GetItem} and {@code dynamodb:PutItem} on the table. Pass the client with
 * SDK retries off (the lock never retries an acquire: the plan aborts untouched; the heartbeat tries
 * again at the next beat).
 */
public final class DynamoDbRouteLock implements RouteLock {

  private static final Logger LOG = LoggerFactory.getLogger(DynamoDbRouteLock.class);

  /** The table's partition key: the route id, a string. */
  public static final String PARTITION_KEY = LockItem.ROUTE_ID;
  /** The table's TTL attribute (epoch seconds), so DynamoDB deletes stale items by itself. */
  public static final String TTL_ATTRIBUTE = LockItem.TTL;
  /** The longest route id a DynamoDB partition key holds, in UTF-8 bytes. */
  public static final int MAX_ROUTE_ID_BYTES = 2048;

  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
  private static final AtomicLong THREADS = new AtomicLong();

  private final DynamoDbClient dynamo;
  private final String table;
  private final Duration leaseDuration;
  private final Duration heartbeat;
  private final Duration clockSkewMargin;
  private final Duration staleItemTtl;
  private final InstantSource time;
  private final ScheduledExecutorService scheduler;

  private DynamoDbRouteLock(Builder b, Duration heartbeat) {
    this.dynamo = b.client;
    this.table = b.tableName;
    this.leaseDuration = b.leaseDuration;
    this.heartbeat = heartbeat;
    this.clockSkewMargin = b.clockSkewMargin;
    this.staleItemTtl = b.staleItemTtl;
    this.time = b.time;
    this.scheduler = b.scheduler;
  }

  /**
   * Starts a builder.
   *
   * @param client the DynamoDB client (not closed by the lock); turn its SDK retries off
   * @return a builder
   */
  public static Builder builder(DynamoDbClient client) {
    return new Builder(client);
  }

  /**
   * Builds a lock in one expression.
   *
   * <pre>{@code
   * RouteLock lock = DynamoDbRouteLock.create(dynamo, b -> b.tableName("bluegreen-locks"));
   * }</pre>
   *
   * @param client the DynamoDB client (not closed by the lock)
   * @param configuration sets the builder's options
   * @return the lock
   */
  public static DynamoDbRouteLock create(DynamoDbClient client, Consumer<Builder> configuration) {
    Builder b = builder(client);
    Checks.notNull(configuration, "configuration").accept(b);
    return b.build();
  }

  /**
   * Creates a lock table (on-demand capacity, partition key {@value #PARTITION_KEY} of type S),
   * waits until it is active, and turns on TTL on {@value #TTL_ATTRIBUTE}. An existing table with
   * that key is kept (TTL is turned on if it is off); one with another key is refused. Needs
   * {@code dynamodb:CreateTable}, {@code DescribeTable}, {@code DescribeTimeToLive} and
   * {@code UpdateTimeToLive}: run it from a set-up step, not from every pipeline.
   *
   * <pre>{@code
   * DynamoDbRouteLock.createTable(dynamo, "bluegreen-locks");
   * }</pre>
   *
   * @param client the DynamoDB client
   * @param tableName the table to create
   * @throws InvalidConfigurationException if the name is invalid or the table exists with another key
   */
  public static void createTable(DynamoDbClient client, String tableName) {
    LockTables.create(Checks.notNull(client, "client"), checkTableName(tableName));
  }

  static String checkTableName(String tableName) {
    Checks.notNull(tableName, "tableName");
    if (!TABLE_NAME.matcher(tableName).matches()) {
      throw new InvalidConfigurationException("tableName \"" + Checks.printable(tableName) + "\" is not a valid DynamoDB table name:"
          + " use 3-255 characters among A-Z a-z 0-9 _ - . (e.g. bluegreen-locks)");
    }
    return tableName;
  }

  /** @return the lock table */
  public String tableName() {
    return table;
  }

  /** @return how long a lease stays valid without renewal */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /** @return how often a held lease is renewed */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** @return how long past an item's expiry a contender still waits before taking it over */
  public Duration clockSkewMargin() {
    return clockSkewMargin;
  }

  /**
   * Rejects, without any request, a route id a DynamoDB partition key cannot hold (blank, or over
   * {@value #MAX_ROUTE_ID_BYTES} UTF-8 bytes). {@code SwitchPlan.Builder.build()} calls it.
   */
  @Override
  public void validate(String routeId) {
    Checks.notBlank(routeId, "routeId");
    int bytes = routeId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ROUTE_ID_BYTES) {
      throw new InvalidConfigurationException("route id \"" + Checks.printable(routeId) + "\" is " + bytes + " bytes long: a DynamoDB"
          + " partition key holds at most " + MAX_ROUTE_ID_BYTES + " bytes, so DynamoDbRouteLock cannot lock it; shorten the"
          + " router's names (listener, record) or use another RouteLock for this route");
    }
  }

  @Override
  public RouteLock.Lease acquire(String routeId, String owner) {
    validate(routeId);
    Checks.notBlank(owner, "owner");
    Map<String, AttributeValue> key = Map.of(PARTITION_KEY, AttributeValue.fromS(routeId));
    Optional<LockItem> seen = read(key);
    Instant now = now();
    if (seen.isPresent() && isLive(seen.get(), now)) {
      throw unavailable(routeId, seen.get(), null);
    }
    long version = seen.map(LockItem::version).orElse(0L) + 1;
    LockItem mine = LockItem.held(routeId, owner, UUID.randomUUID().toString(), version, now, now, now.plus(leaseDuration));
    PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(mine.toAttributes(staleItemTtl))
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
        .expressionAttributeNames(Map.of("#k", PARTITION_KEY));
    if (seen.isEmpty()) {
      put.conditionExpression("attribute_not_exists(#k)");
    } else {
      put.conditionExpression("attribute_exists(#k) AND #v = :seen")
          .expressionAttributeNames(Map.of("#k", PARTITION_KEY, "#v", LockItem.VERSION))
          .expressionAttributeValues(Map.of(":seen", AttributeValue.fromN(Long.toString(seen.get().version()))));
    }
    try {
      dynamo.putItem(put.build());
    } catch (ConditionalCheckFailedException e) {
      LockItem winner = LockItem.from(e.hasItem() ? e.item() : null).orElseGet(() -> readQuietly(key).orElse(null));
      throw unavailable(routeId, winner, e);
    } catch (RuntimeException e) {
      // the put may have landed even though its reply was lost: if the item is ours, we hold the lock
      if (!readQuietly(key).filter(i -> mine.leaseId().equals(i.leaseId())).isPresent()) {
        throw DynamoDbFailures.translate(dynamo, "PutItem", table, e);
      }
      LOG.info("the PutItem that took route {} failed ({}) but had landed: the lock is held", routeId, DynamoDbFailures.describe(dynamo, e));
    }
    seen.filter(LockItem::isHeld).ifPresent(old -> LOG.info("took over route {} from {} (version {}, expired at {})", routeId,
        Checks.printable(old.owner()), old.version(), old.expiresAt()));
    LOG.info("{} acquired the lock on route {} in table {} (version {}, lease {}, renewed every {})", Checks.printable(owner), routeId,
        table, version, leaseDuration, heartbeat);
    return new Held(mine, key);
  }

  /**
   * Reads a route's lock item (one consistent {@code GetItem}): who holds it, until when, and its
   * fencing counter. For dashboards and "who holds my route?" questions; it takes nothing.
   *
   * <pre>{@code
   * lock.read("aws/alb/arn:...").ifPresent(r -> log.info("route lock: {}", r));
   * // LockRecord[aws/alb/arn:..., version 12, held by release-pipeline#812@runner-7 since ... until ...]
   * }</pre>
   *
   * @param routeId the route
   * @return its item, if the route was ever locked (and DynamoDB TTL has not deleted it since)
   */
  public Optional<LockRecord> read(String routeId) {
    validate(routeId);
    return read(Map.of(PARTITION_KEY, AttributeValue.fromS(routeId))).map(i -> new LockRecord(i.routeId(), i.version(),
        i.isHeld() ? i.owner() : null, i.isHeld() ? i.acquiredAt() : null, i.isHeld() ? i.expiresAt() : null,
        i.isHeld() && i.expiresAt() != null ? takeoverAt(i) : null));
  }

  private boolean isLive(LockItem item, Instant now) {
    return item.isHeld() && (item.expiresAt() == null || now.isBefore(takeoverAt(item)));
  }

  private Instant takeoverAt(LockItem item) {
    return item.expiresAt().plus(clockSkewMargin);
  }

  private Optional<LockItem> read(Map<String, AttributeValue> key) {
    try {
      return LockItem.from(dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item());
    } catch (RuntimeException e) {
      throw DynamoDbFailures.translate(dynamo, "GetItem", table, e);
    }
  }

  private Optional<LockItem> readQuietly(Map<String, AttributeValue> key) {
    try {
      return read(key);
    } catch (RuntimeException e) {
      LOG.debug("could not read the lock item again: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private LockUnavailableException unavailable(String routeId, LockItem holder, Throwable cause) {
    String who = holder == null || holder.owner() == null ? null : Checks.printable(holder.owner());
    StringBuilder m = new StringBuilder("route ").append(routeId).append(" is locked by ").append(who == null ? "another plan" : who)
        .append(" (DynamoDB table ").append(table);
    if (holder != null) {
      m.append(", version ").append(holder.version());
      if (holder.acquiredAt() != null) {
        m.append(", since ").append(holder.acquiredAt());
      }
      if (holder.expiresAt() != null) {
        m.append(", expires at ").append(holder.expiresAt()).append(" unless renewed; another plan may take it over from ")
            .append(takeoverAt(holder)).append(" (expiry + ").append(clockSkewMargin.toSeconds()).append(" s clock-skew margin)");
      } else if (holder.isHeld()) {
        m.append(", with no valid expiresAt: delete the item by hand if no plan is running");
      }
    } else {
      m.append(", taken at the same moment by another plan");
    }
    m.append("): only one plan may switch a route at a time; wait for it to finish (or for its lock to expire) and retry");
    return new LockUnavailableException(m.toString(), who, cause);
  }

  private Instant now() {
    return time.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  @Override
  public String toString() {
    return "DynamoDbRouteLock[" + table + ", lease " + leaseDuration + ", heartbeat " + heartbeat + ", margin " + clockSkewMargin + "]";
  }

  /** A lock item this lock holds. */
  private final class Held implements RouteLock.Lease {
    private final Map<String, AttributeValue> key;
    private final Object io = new Object();
    private final ScheduledExecutorService ownScheduler;
    private final ScheduledFuture<?> renewal;
    private volatile LockItem item;
    private volatile Instant lastRenewed;
    private volatile String lastFailure;
    private volatile String lost;
    private volatile boolean notOurs;
    private volatile boolean closed;

    Held(LockItem item, Map<String, AttributeValue> key) {
      this.item = item;
      this.key = key;
      this.lastRenewed = item.renewedAt();
      this.ownScheduler = scheduler == null ? Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bluegreen-dynamodb-lock-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      }) : null;
      long every = heartbeat.toMillis();
      this.renewal = (scheduler != null ? scheduler : ownScheduler).scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public String routeId() {
      return item.routeId();
    }

    @Override
    public String owner() {
      return item.owner();
    }

    @Override
    public boolean isHeld() {
      return !closed && lost == null && !ranOut(time.instant());
    }

    @Override
    public OptionalLong fencingToken() {
      return OptionalLong.of(item.version());
    }

    @Override
    public Optional<String> lossReason() {
      if (closed) {
        return Optional.of("released");
      }
      if (lost != null) {
        return Optional.of(lost);
      }
      return ranOut(time.instant()) ? Optional.of(ranOutReason()) : Optional.empty();
    }

    private boolean ranOut(Instant now) {
      return !now.isBefore(lastRenewed.plus(leaseDuration));
    }

    private String ranOutReason() {
      String failure = lastFailure;
      return "its DynamoDB lock item (table " + table + ", version " + item.version() + ") was not renewed within its lease of "
          + leaseDuration + " since " + lastRenewed + (failure == null ? "" : "; last renewal failed: " + failure);
    }

    /** One heartbeat: never throws (a scheduled task that throws is never run again). */
    void renew() {
      try {
        synchronized (io) {
          if (closed || lost != null) {
            return;
          }
          Instant now = now();
          if (ranOut(now)) {
            markLost(ranOutReason());
            return;
          }
          LockItem next = item.renewed(now, now.plus(leaseDuration));
          try {
            dynamo.putItem(ours(next));
            item = next;
            lastRenewed = now;
            lastFailure = null;
            LOG.debug("renewed the lock on route {} until {}", next.routeId(), next.expiresAt());
          } catch (ConditionalCheckFailedException e) {
            Optional<LockItem> found = LockItem.from(e.hasItem() ? e.item() : null);
            notOurs = true;
            markLost(found.filter(LockItem::isHeld)
                .map(o -> "its DynamoDB lock item (table " + table + ") was taken over by " + Checks.printable(o.owner())
                    + " (version " + o.version() + ")")
                .orElse(found.isPresent() ? "its DynamoDB lock item (table " + table + ") was released by someone else"
                    : "its DynamoDB lock item (table " + table + ") was deleted"));
          } catch (RuntimeException e) {
            lastFailure = "DynamoDB PutItem " + DynamoDbFailures.describe(dynamo, e);
            LOG.warn("could not renew the lock on route {}: {}; it runs out at {} unless a later renewal succeeds", item.routeId(),
                lastFailure, lastRenewed.plus(leaseDuration));
          }
        }
      } catch (RuntimeException e) {
        lastFailure = e.toString();
        LOG.warn("the heartbeat of the lock on route {} failed: {}", item.routeId(), e.toString());
      }
    }

    private PutItemRequest ours(LockItem next) {
      return PutItemRequest.builder().tableName(table).item(next.toAttributes(staleItemTtl))
          .conditionExpression("#l = :mine")
          .expressionAttributeNames(Map.of("#l", LockItem.LEASE_ID))
          .expressionAttributeValues(Map.of(":mine", AttributeValue.fromS(item.leaseId())))
          .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
          .build();
    }

    private void markLost(String why) {
      lost = why;
      LOG.warn("lost the lock on route {}: {}", item.routeId(), why);
    }

    @Override
    public void close() {
      renewal.cancel(false);
      if (ownScheduler != null) {
        ownScheduler.shutdownNow();
      }
      synchronized (io) {
        if (closed) {
          return;
        }
        closed = true;
        if (notOurs) {
          return;
        }
        try {
          dynamo.putItem(ours(item.released(now())));
          LOG.info("{} released the lock on route {}", Checks.printable(item.owner()), item.routeId());
        } catch (ConditionalCheckFailedException e) {
          LOG.info("did not release the lock on route {}: it is no longer this plan's", item.routeId());
        } catch (RuntimeException e) {
          LOG.warn("could not release the lock on route {}: {}; another plan may take it over from {}", item.routeId(),
              DynamoDbFailures.describe(dynamo, e), takeoverAt(item));
        }
      }
    }

    @Override
    public String toString() {
      return "DynamoDB lock on " + item.routeId() + " (table " + table + ", version " + item.version() + ") held by "
          + Checks.printable(item.owner());
    }
  }

  /**
   * Builds a {@link DynamoDbRouteLock}. Every bad input is rejected by {@link #build()} (or the
   * setter) with {@link InvalidConfigurationException}, before any request.
   *
   * <pre>{@code
   * DynamoDbRouteLock lock = DynamoDbRouteLock.builder(dynamo).tableName("bluegreen-locks")
   *     .leaseDuration(Duration.ofSeconds(60)).heartbeat(Duration.ofSeconds(15))
   *     .clockSkewMargin(Duration.ofSeconds(5)).build();
   * }</pre>
   */
  public static final class Builder {
    private final DynamoDbClient client;
    private String tableName;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration heartbeat;
    private Duration clockSkewMargin = Duration.ofSeconds(10);
    private Duration staleItemTtl = Duration.ofDays(7);
    private InstantSource time = Clock.systemUTC();
    private ScheduledExecutorService scheduler;

    private Builder(DynamoDbClient client) {
      this.client = Checks.notNull(client, "client");
    }

    /**
     * @param tableName the lock table (required): 3-255 of {@code A-Z a-z 0-9 _ - .}
     * @return this builder
     */
    public Builder tableName(String tableName) {
      this.tableName = checkTableName(tableName);
      return this;
    }

    /**
     * @param duration how long a lease stays valid without renewal: at least 1 s, whole milliseconds (default 30 s)
     * @return this builder
     */
    public Builder leaseDuration(Duration duration) {
      Checks.positive(duration, "leaseDuration");
      if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.getNano() % 1_000_000 != 0) {
        throw new InvalidConfigurationException("leaseDuration " + duration + " is invalid: use at least 1 s in whole milliseconds"
            + " (e.g. 30s), well above a DynamoDB round trip");
      }
      this.leaseDuration = duration;
      return this;
    }

    /**
     * @param interval how often to renew a held lease: at most half the lease duration, so a failed renewal
     *     is retried before the lease runs out (default a third of it)
     * @return this builder
     */
    public Builder heartbeat(Duration interval) {
      this.heartbeat = Checks.positive(interval, "heartbeat");
      return this;
    }

    /**
     * @param margin how long past an item's expiry a contender still waits before taking it over: more
     *     than the largest clock difference between runners plus the longest router write (default 10 s)
     * @return this builder
     */
    public Builder clockSkewMargin(Duration margin) {
      this.clockSkewMargin = Checks.nonNegative(margin, "clockSkewMargin");
      return this;
    }

    /**
     * @param ttl how long after its expiry or release an item may be deleted by DynamoDB TTL (default 7 days);
     *     at least a day, since a deleted item restarts the fencing counter
     * @return this builder
     */
    public Builder staleItemTtl(Duration ttl) {
      Checks.positive(ttl, "staleItemTtl");
      if (ttl.compareTo(Duration.ofDays(1)) < 0) {
        throw new InvalidConfigurationException("staleItemTtl " + ttl + " is too short: use at least 1 day (default 7 days), since"
            + " an item DynamoDB deleted restarts the route's fencing counter");
      }
      this.staleItemTtl = ttl;
      return this;
    }

    /**
     * @param time the time that stamps renewals and judges expiry (default the UTC system clock); in tests
     *     pass the plan's time source (the testkit's {@code VirtualClock}) so expiry follows the plan's time
     * @return this builder
     */
    public Builder time(InstantSource time) {
      this.time = Checks.notNull(time, "time");
      return this;
    }

    /**
     * @param scheduler runs the heartbeats (default: one daemon thread per held lease, stopped when it is
     *     released); one passed here is not shut down by the lock
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Checks.notNull(scheduler, "scheduler");
      return this;
    }

    /** @return the lock */
    public DynamoDbRouteLock build() {
      if (tableName == null) {
        throw new InvalidConfigurationException("tableName is not set: pass the lock table's name, e.g. .tableName(\"bluegreen-locks\")"
            + " (create it with DynamoDbRouteLock.createTable or the CloudFormation in the bluegreen-dynamodb README)");
      }
      Duration beat = heartbeat != null ? heartbeat : leaseDuration.dividedBy(3);
      if (beat.multipliedBy(2).compareTo(leaseDuration) > 0) {
        throw new InvalidConfigurationException("heartbeat " + beat + " is too long for leaseDuration " + leaseDuration + ": renew at"
            + " least twice per lease (heartbeat at most " + leaseDuration.dividedBy(2) + ", e.g. " + leaseDuration.dividedBy(3)
            + "), so that one failed renewal does not lose the lock");
      }
      if (beat.toMillis() < 1) {
        throw new InvalidConfigurationException("heartbeat " + beat + " is shorter than 1 ms: use e.g. a third of the lease");
      }
      Objects.requireNonNull(time);
      return new DynamoDbRouteLock(this, beat);
    }
  }
}
