package io.bluegreen.k8s.lock;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.LockUnavailableException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.k8s.internal.AccessReview;
import io.bluegreen.k8s.internal.KubeCalls;
import io.bluegreen.k8s.internal.KubeNames;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RouteLock} held in a Kubernetes {@code coordination.k8s.io/v1} Lease, so that two
 * pipelines on two machines never switch the same route at once. One Lease per route, named from the
 * route id ({@link #leaseName(String)}); held while the plan runs, renewed in the background, released
 * when the plan ends, and taken over by another plan only once it has expired.
 *
 * <pre>{@code
 * RouteLock lock = LeaseLock.builder(client)
 *     .namespace("deploy-locks")
 *     .leaseDuration(Duration.ofSeconds(30))     // renewed every 10 s by default
 *     .build();
 * SwitchPlan.builder()...lock(lock).owner("pipeline-42@" + hostname).build().execute();
 * // a second plan on the same route fails fast:
 * // ABORTED: route k8s/service/shop/app-service is locked by pipeline-42@build-7 (Lease deploy-locks/bluegreen-...) ...
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Acquire: no Lease yet → create it (if the create conflicts, another plan won: fail naming it).
 *       A Lease held by anyone (the same owner name included) whose {@code renewTime +
 *       leaseDurationSeconds} is still in the future on this lock's clock → fail at once with
 *       {@link LockUnavailableException} naming the holder, since when it holds the Lease and when it
 *       expires. A released or expired Lease → take it
 *       over with an update guarded by its resourceVersion (a conflict means another plan won).</li>
 *   <li>Hold: a background task renews {@code renewTime} every {@link Builder#renewInterval(Duration)}.
 *       {@link RouteLock.Lease#isHeld()} turns false for good if the Lease was taken over or deleted, or
 *       if no renewal succeeded within the lease duration (a later renewal does not bring it back);
 *       the plan checks it before every write, and {@link RouteLock.Lease#lossReason()} says why.
 *       The lease's {@link RouteLock.Lease#fencingToken()} is the Lease's {@code leaseTransitions},
 *       which goes up on every acquisition after the first.</li>
 *   <li>Release ({@code close()}): stops the renewal and clears {@code holderIdentity}, guarded by the
 *       resourceVersion (a Lease someone else took is left alone). The Lease object stays, as with
 *       Kubernetes leader election.</li>
 * </ul>
 *
 * <p>Expiry compares {@code renewTime} written by another machine with this lock's {@link Clock}:
 * keep the machines' clocks in sync (NTP), and keep the lease duration well above the skew.
 * RBAC: {@code get, create, update} on {@code coordination.k8s.io/leases} in the lock's namespace.
 */
public final class LeaseLock implements RouteLock {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseLock.class);

  /** Annotation on each Lease carrying the full route id it locks. */
  public static final String ROUTE_ANNOTATION = "bluegreen.io/route-id";

  private static final String PREFIX = "bluegreen-";
  private static final int HASH_CHARS = 10;

  private final KubernetesClient client;
  private final String namespace;
  private final Duration leaseDuration;
  private final Duration renewInterval;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  private LeaseLock(Builder b, String namespace) {
    this.client = b.client;
    this.namespace = namespace;
    this.leaseDuration = b.leaseDuration;
    this.renewInterval = b.renewInterval != null ? b.renewInterval : b.leaseDuration.dividedBy(3);
    this.clock = b.clock;
    this.scheduler = b.scheduler;
  }

  /**
   * Starts a builder.
   *
   * @param client the fabric8 client (not closed by the lock)
   * @return a builder
   */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /**
   * The Lease name for a route: {@code bluegreen-}, the route id lowercased with every run of other
   * characters turned into {@code -} (cut to fit), then {@code -} and 10 hex characters of the route
   * id's SHA-256, so that distinct route ids never share a Lease. Always a valid DNS-1123 label of at
   * most 63 characters.
   *
   * @param routeId a route id, e.g. {@code k8s/service/default/app-service}
   * @return e.g. {@code bluegreen-k8s-service-default-app-service-3f9c0a17b2}
   */
  public static String leaseName(String routeId) {
    Checks.notBlank(routeId, "routeId");
    String slug = routeId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+", "");
    int room = 63 - PREFIX.length() - 1 - HASH_CHARS;
    if (slug.length() > room) {
      slug = slug.substring(0, room);
    }
    slug = slug.replaceAll("-+$", "");
    return PREFIX + (slug.isEmpty() ? "" : slug + "-") + sha256(routeId).substring(0, HASH_CHARS);
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** @return the namespace the Leases live in */
  public String namespace() {
    return namespace;
  }

  /** @return how long a Lease stays valid without renewal */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /** @return how often a held Lease is renewed */
  public Duration renewInterval() {
    return renewInterval;
  }

  @Override
  public RouteLock.Lease acquire(String routeId, String owner) {
    Checks.notBlank(routeId, "routeId");
    Checks.notBlank(owner, "owner");
    String name = leaseName(routeId);
    String object = "Lease " + namespace + "/" + name;
    // renewing and releasing are updates: refuse now, before the plan writes anything, rather than lose the Lease later
    Optional<String> forbidden = AccessReview.denied(client, KubeCalls.UPDATE_LEASE, namespace, null, LOG);
    if (forbidden.isPresent()) {
      throw RouterException.permanentFailure("cannot hold " + object + " for route " + routeId + ": " + forbidden.get(), null);
    }
    io.fabric8.kubernetes.api.model.coordination.v1.Lease existing = get(name, object);
    Instant now = now();
    io.fabric8.kubernetes.api.model.coordination.v1.Lease held;
    if (existing == null) {
      io.fabric8.kubernetes.api.model.coordination.v1.Lease fresh = new LeaseBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).addToAnnotations(ROUTE_ANNOTATION, routeId).endMetadata()
          .withNewSpec()
          .withHolderIdentity(owner)
          .withAcquireTime(time(now))
          .withRenewTime(time(now))
          .withLeaseDurationSeconds((int) leaseDuration.getSeconds())
          .withLeaseTransitions(0)
          .endSpec()
          .build();
      try {
        held = client.leases().inNamespace(namespace).resource(fresh).create();
      } catch (KubernetesClientException e) {
        if (KubeCalls.isConflict(e)) {
          throw unavailable(routeId, get(name, object), object, e);
        }
        throw KubeCalls.translate(client, e, KubeCalls.CREATE_LEASE, object);
      }
    } else {
      if (isLive(existing, now)) {
        throw unavailable(routeId, existing, object, null);
      }
      io.fabric8.kubernetes.api.model.coordination.v1.Lease takeOver = client.getKubernetesSerialization().clone(existing);
      if (takeOver.getSpec() == null) {
        takeOver.setSpec(new LeaseSpec());
      }
      int transitions = takeOver.getSpec().getLeaseTransitions() == null ? 0 : takeOver.getSpec().getLeaseTransitions();
      takeOver.getSpec().setHolderIdentity(owner);
      takeOver.getSpec().setAcquireTime(time(now));
      takeOver.getSpec().setRenewTime(time(now));
      takeOver.getSpec().setLeaseDurationSeconds((int) leaseDuration.getSeconds());
      takeOver.getSpec().setLeaseTransitions(transitions + 1);
      try {
        held = update(takeOver);
      } catch (KubernetesClientException e) {
        if (KubeCalls.isConflict(e)) {
          throw unavailable(routeId, get(name, object), object, e);
        }
        throw KubeCalls.translate(client, e, KubeCalls.UPDATE_LEASE, object);
      }
      LOG.info("took over {} for route {} from {} (expired or released)", object, routeId,
          existing.getSpec() == null ? null : existing.getSpec().getHolderIdentity());
    }
    LOG.info("{} acquired {} for route {} (duration {}, renewed every {})", owner, object, routeId, leaseDuration, renewInterval);
    return new Held(routeId, owner, name, object, held, now);
  }

  private io.fabric8.kubernetes.api.model.coordination.v1.Lease get(String name, String object) {
    return KubeCalls.call(client, KubeCalls.GET_LEASE, object, () -> client.leases().inNamespace(namespace).withName(name).get());
  }

  private io.fabric8.kubernetes.api.model.coordination.v1.Lease update(io.fabric8.kubernetes.api.model.coordination.v1.Lease lease) {
    return client.leases().inNamespace(namespace).resource(lease).update();
  }

  private boolean isLive(io.fabric8.kubernetes.api.model.coordination.v1.Lease lease, Instant now) {
    Instant expiry = expiry(lease);
    String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return holder != null && !holder.isBlank() && expiry != null && now.isBefore(expiry);
  }

  private static Instant expiry(io.fabric8.kubernetes.api.model.coordination.v1.Lease lease) {
    if (lease.getSpec() == null) {
      return null;
    }
    ZonedDateTime last = lease.getSpec().getRenewTime() != null ? lease.getSpec().getRenewTime() : lease.getSpec().getAcquireTime();
    Integer seconds = lease.getSpec().getLeaseDurationSeconds();
    if (last == null || seconds == null) {
      return null;
    }
    return last.toInstant().plusSeconds(seconds);
  }

  private LockUnavailableException unavailable(String routeId, io.fabric8.kubernetes.api.model.coordination.v1.Lease lease, String object, Throwable cause) {
    String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    Instant expiry = lease == null ? null : expiry(lease);
    ZonedDateTime acquired = lease == null || lease.getSpec() == null ? null : lease.getSpec().getAcquireTime();
    String message = "route " + routeId + " is locked by " + (holder == null || holder.isBlank() ? "another plan" : Checks.printable(holder))
        + " (" + object + (acquired == null ? "" : ", since " + acquired.toInstant())
        + (expiry == null ? "" : ", expires at " + expiry + " unless renewed") + "): only one plan may switch"
        + " a route at a time; wait for it to finish (or for its lock to expire) and retry";
    return new LockUnavailableException(message, holder, KubeCalls.redacted(client, cause));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static ZonedDateTime time(Instant instant) {
    return ZonedDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static boolean sameInstant(ZonedDateTime a, ZonedDateTime b) {
    return a != null && b != null && a.toInstant().equals(b.toInstant());
  }

  @Override
  public String toString() {
    return "LeaseLock[" + namespace + ", " + leaseDuration + "]";
  }

  /** A Lease this lock holds. */
  private final class Held implements RouteLock.Lease {
    private final String routeId;
    private final String owner;
    private final String name;
    private final String object;
    private final ZonedDateTime acquireTime;
    private final ScheduledExecutorService ownScheduler;
    private final ScheduledFuture<?> renewal;
    private final long fencingToken;
    private io.fabric8.kubernetes.api.model.coordination.v1.Lease current;
    private Instant lastRenewed;
    private String lastFailure;
    private String lost;
    private boolean closed;

    Held(String routeId, String owner, String name, String object, io.fabric8.kubernetes.api.model.coordination.v1.Lease lease, Instant renewedAt) {
      this.routeId = routeId;
      this.owner = owner;
      this.name = name;
      this.object = object;
      this.current = lease;
      this.acquireTime = lease.getSpec().getAcquireTime();
      this.fencingToken = lease.getSpec().getLeaseTransitions() == null ? 0 : lease.getSpec().getLeaseTransitions();
      this.lastRenewed = renewedAt;
      this.ownScheduler = scheduler == null ? Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bluegreen-lease-" + name);
        t.setDaemon(true);
        return t;
      }) : null;
      ScheduledExecutorService s = scheduler != null ? scheduler : ownScheduler;
      long every = renewInterval.toMillis();
      this.renewal = s.scheduleWithFixedDelay(this::renewSafely, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public String routeId() {
      return routeId;
    }

    @Override
    public String owner() {
      return owner;
    }

    @Override
    public synchronized boolean isHeld() {
      return !closed && lost == null && !ranOut(clock.instant());
    }

    private boolean ranOut(Instant now) {
      return !now.isBefore(lastRenewed.plus(leaseDuration));
    }

    @Override
    public OptionalLong fencingToken() {
      return OptionalLong.of(fencingToken);
    }

    @Override
    public synchronized Optional<String> lossReason() {
      if (closed) {
        return Optional.of("released");
      }
      if (lost != null) {
        return Optional.of(lost);
      }
      if (ranOut(clock.instant())) {
        return Optional.of(ranOutReason());
      }
      return Optional.empty();
    }

    private String ranOutReason() {
      return object + " was not renewed within its " + leaseDuration.toSeconds() + " s since " + lastRenewed
          + (lastFailure == null ? "" : " (last renewal failed: " + lastFailure + ")");
    }

    private void renewSafely() {
      try {
        renew();
      } catch (RuntimeException e) {
        synchronized (this) {
          lastFailure = e.getMessage();
        }
        LOG.warn("could not renew {} for route {}: {}; it expires at {} unless a later renewal succeeds", object, routeId,
            KubeCalls.message(client, e), lastRenewed.plus(leaseDuration));
      }
    }

    synchronized void renew() {
      if (closed || lost != null) {
        return;
      }
      Instant now = now();
      if (ranOut(now)) {
        markLost(ranOutReason());
        return;
      }
      io.fabric8.kubernetes.api.model.coordination.v1.Lease next = withRenewTime(current, now);
      try {
        current = update(next);
        lastRenewed = now;
        LOG.debug("renewed {} for route {}", object, routeId);
      } catch (KubernetesClientException e) {
        if (KubeCalls.isNotFound(e)) {
          markLost(object + " was deleted");
          return;
        }
        if (!KubeCalls.isConflict(e)) {
          throw KubeCalls.translate(client, e, KubeCalls.UPDATE_LEASE, object);
        }
        io.fabric8.kubernetes.api.model.coordination.v1.Lease fresh = get(name, object);
        if (!isOurs(fresh)) {
          markLost(fresh == null ? object + " was deleted" : object + " was taken over by "
              + Checks.printable(fresh.getSpec() == null ? null : fresh.getSpec().getHolderIdentity()));
          return;
        }
        current = update(withRenewTime(fresh, now));
        lastRenewed = now;
      }
    }

    private boolean isOurs(io.fabric8.kubernetes.api.model.coordination.v1.Lease lease) {
      return lease != null && lease.getSpec() != null && owner.equals(lease.getSpec().getHolderIdentity())
          && sameInstant(acquireTime, lease.getSpec().getAcquireTime());
    }

    private io.fabric8.kubernetes.api.model.coordination.v1.Lease withRenewTime(io.fabric8.kubernetes.api.model.coordination.v1.Lease lease, Instant now) {
      io.fabric8.kubernetes.api.model.coordination.v1.Lease next = client.getKubernetesSerialization().clone(lease);
      next.getSpec().setRenewTime(time(now));
      return next;
    }

    private void markLost(String why) {
      lost = why;
      LOG.warn("lost the lock on route {}: {}", routeId, why);
    }

    @Override
    public void close() {
      renewal.cancel(false);
      if (ownScheduler != null) {
        ownScheduler.shutdownNow();
      }
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        if (lost != null) {
          return;
        }
        try {
          release();
        } catch (RuntimeException e) {
          LOG.warn("could not release {} for route {}: {}; it expires by itself at {}", object, routeId, KubeCalls.message(client, e),
              lastRenewed.plus(leaseDuration));
        }
      }
    }

    private void release() {
      io.fabric8.kubernetes.api.model.coordination.v1.Lease next = client.getKubernetesSerialization().clone(current);
      next.getSpec().setHolderIdentity(null);
      try {
        update(next);
      } catch (KubernetesClientException e) {
        if (KubeCalls.isNotFound(e)) {
          return;
        }
        if (!KubeCalls.isConflict(e)) {
          throw KubeCalls.translate(client, e, KubeCalls.UPDATE_LEASE, object);
        }
        io.fabric8.kubernetes.api.model.coordination.v1.Lease fresh = get(name, object);
        if (!isOurs(fresh)) {
          return;
        }
        io.fabric8.kubernetes.api.model.coordination.v1.Lease again = client.getKubernetesSerialization().clone(fresh);
        again.getSpec().setHolderIdentity(null);
        update(again);
      }
      LOG.info("{} released {} for route {}", owner, object, routeId);
    }

    @Override
    public String toString() {
      return object + " held by " + owner;
    }
  }

  /**
   * Builds a {@link LeaseLock}.
   *
   * <pre>{@code
   * LeaseLock lock = LeaseLock.builder(client).namespace("deploy-locks").leaseDuration(Duration.ofSeconds(60)).build();
   * }</pre>
   */
  public static final class Builder {
    private final KubernetesClient client;
    private String namespace;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration renewInterval;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;

    private Builder(KubernetesClient client) {
      this.client = Checks.notNull(client, "client");
    }

    /**
     * @param namespace where the Leases live (default: the client's namespace, else "default")
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = KubeNames.namespace(namespace, "namespace");
      return this;
    }

    /**
     * @param duration how long a Lease stays valid without renewal: whole seconds, at least 1 s (default 30 s)
     * @return this builder
     */
    public Builder leaseDuration(Duration duration) {
      Checks.positive(duration, "leaseDuration");
      if (duration.getNano() != 0) {
        throw new InvalidConfigurationException("leaseDuration " + duration + " is invalid: a Lease holds whole seconds; use e.g. 30s");
      }
      if (duration.getSeconds() > Integer.MAX_VALUE) {
        throw new InvalidConfigurationException("leaseDuration " + duration + " is invalid: a Lease holds at most " + Integer.MAX_VALUE
            + " s (an int32); use e.g. 30s");
      }
      this.leaseDuration = duration;
      return this;
    }

    /**
     * @param interval how often to renew a held Lease, shorter than the lease duration (default a third of it)
     * @return this builder
     */
    public Builder renewInterval(Duration interval) {
      this.renewInterval = Checks.positive(interval, "renewInterval");
      return this;
    }

    /**
     * @param clock the clock that stamps renewals and judges expiry (default {@link Clock#systemUTC()})
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Checks.notNull(clock, "clock");
      return this;
    }

    /**
     * @param scheduler runs the renewals (default: one daemon thread per held Lease, stopped when it is
     *     released); a scheduler passed here is not shut down by the lock
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Checks.notNull(scheduler, "scheduler");
      return this;
    }

    /** @return the lock */
    public LeaseLock build() {
      Duration renew = renewInterval != null ? renewInterval : leaseDuration.dividedBy(3);
      if (renew.compareTo(leaseDuration) >= 0 || renew.isZero()) {
        throw new InvalidConfigurationException("renewInterval " + renew + " must be positive and shorter than leaseDuration "
            + leaseDuration + ": renew well before the Lease expires (e.g. a third of its duration)");
      }
      String ns = namespace;
      if (ns == null) {
        ns = client.getNamespace() == null ? "default" : KubeNames.namespace(client.getNamespace(), "the client's namespace");
      }
      Objects.requireNonNull(clock);
      return new LeaseLock(this, ns);
    }
  }
}
