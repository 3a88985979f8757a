package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.ResettingProxy;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.FaultMatrix;
import io.bluegreen.testkit.FaultMatrix.Persistence;
import io.bluegreen.testkit.FaultMatrix.Point;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix for the three Kubernetes routers: every fault the API server (or the network in
 * front of it) can throw at a client, injected once or persistently at the plan's first GET of the
 * routed object, at the PUT of the faulted stage, and at the rollback's PUT, through the real fabric8
 * client (its own retries off: {@code requestRetryBackoffLimit(0)}, so every retry is the engine's)
 * against the fabric8 mock server in CRUD mode. Each cell is asserted and recorded by
 * {@link FaultMatrix.Cell#check} and recorded when the whole cell has passed ({@link Evidence}).
 *
 * <h2>Plans</h2>
 * HttpRouteRouter: target weights 10, 50, 100 as {@link FaultMatrix} describes; STAGE_WRITE is the PUT
 * writing stage 2 (blue=50 green=50), ROLLBACK_WRITE the rollback's PUT after a gate turned UNHEALTHY in
 * stage 2. ServiceSelectorRouter and IngressBackendRouter are atomic-only, so their plan has a single
 * stage (allAtOnce): STAGE_WRITE is the PUT of stage 1 (all to green) and ROLLBACK_WRITE the rollback's
 * PUT after a gate turned UNHEALTHY in stage 1; their rows say "stage 1 of 1" in the fault name.
 *
 * <h2>Faults</h2>
 * HTTP 500, 503, 429 (with a Status carrying retryAfterSeconds=1 and a Retry-After header) and a slow
 * reply are served by the mock server itself ({@link MockCluster#intercept}) instead of its store, to
 * the requests the cell targets. A timeout needs no wall-clock luck: the client of a timeout cell marks
 * the requests the cell targets ({@link MockCluster#markingClient}) and gives only those a
 * {@value #SHORT_TIMEOUT_MILLIS} ms timeout, and the server answers only marked requests late
 * ({@value #LATE_REPLY_MILLIS} ms); every other request has {@value #GENEROUS_TIMEOUT_MILLIS} ms, which
 * no loaded machine comes near. A connection reset comes from {@link ResettingProxy} in front of the server: it reads
 * the request and answers with a TCP RST. A 409 is a Status "Conflict ... the object has been
 * modified" (on a GET, which a real API server never answers with 409, it is the same transient
 * failure). A faulted request never reaches the store, so a faulted write did not land (the timeout
 * cells model a write that did not land).
 *
 * <p>ONCE fails the first matching request and lets the rest through; PERSISTENT fails every matching
 * request. Every cell also checks that the fault was served exactly as often as the retry policies
 * allow, that the engine retried exactly the faulted call (for ONCE: one RetryScheduled; a single 409
 * on a PUT is the exception, see {@link K8sFault#CONFLICT}), and that the object in the store holds
 * what the result says.
 *
 * <p>Retry policies: forward {@link RetryPolicy#defaults()} (5 attempts); rollback
 * {@link RetryPolicy#rollbackDefaults()} (10 attempts) except in PERSISTENT cells, which use 4 rollback
 * attempts with the same backoff to keep the timeout cells short (10 attempts would only repeat the
 * same timeout 6 more times). Backoffs run on a {@link VirtualClock}.
 */
@Evidence(backend = "fabric8 kubernetes-server-mock (CRUD mode), through the real fabric8 client")
class KubernetesFaultMatrixTest {

  /** Every request's timeout, but those a timeout cell targets: no ordinary request comes near it, however loaded the machine. */
  static final int GENEROUS_TIMEOUT_MILLIS = 30_000;
  /** The timeout of the requests a timeout cell targets (marked by {@link MockCluster#markingClient}). */
  static final int SHORT_TIMEOUT_MILLIS = 500;
  /** How late the server answers a marked request: well past its short timeout. */
  static final int LATE_REPLY_MILLIS = 3_000;
  private static final int RETRY_AFTER_SECONDS = 1;

  private static final RetryPolicy FORWARD_RETRY = RetryPolicy.defaults();
  private static final RetryPolicy ROLLBACK_RETRY = RetryPolicy.rollbackDefaults();
  private static final RetryPolicy PERSISTENT_ROLLBACK_RETRY = RetryPolicy.builder().maxAttempts(4)
      .maxBackoff(ROLLBACK_RETRY.maxBackoff()).build();

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  // ---------------------------------------------------------------------------------------------
  // the routers

  /** A router, the scene it switches, and how to tell what a PUT of its object writes. */
  enum Scene {
    SERVICE_SELECTOR("ServiceSelectorRouter", "/api/v1/namespaces/default/services/" + Fixtures.SERVICE) {
      @Override
      Router router(MockCluster cluster, KubernetesClient client) {
        Fixtures.serviceScene(cluster, 1, 0);
        return ServiceSelectorRouter.builder(client).namespace(MockCluster.NS).service(Fixtures.SERVICE).environments(BLUE, GREEN).build();
      }

      @Override
      int greenShare(String json) {
        Service s = JSON.unmarshal(json, Service.class);
        return "green".equals(s.getSpec().getSelector().get("version")) ? 100 : 0;
      }
    },
    INGRESS("IngressBackendRouter", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/" + Fixtures.INGRESS) {
      @Override
      Router router(MockCluster cluster, KubernetesClient client) {
        Fixtures.ingressScene(cluster);
        return IngressBackendRouter.builder(client).namespace(MockCluster.NS).ingress(Fixtures.INGRESS)
            .service(BLUE, "app-blue").service(GREEN, "app-green").build();
      }

      @Override
      int greenShare(String json) {
        Ingress i = JSON.unmarshal(json, Ingress.class);
        String root = i.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName();
        String api = i.getSpec().getRules().get(0).getHttp().getPaths().get(2).getBackend().getService().getName();
        assertThat(api).as("/ and /api move together").isEqualTo(root);
        return "app-green".equals(root) ? 100 : 0;
      }
    },
    HTTP_ROUTE("HttpRouteRouter", "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/" + Fixtures.ROUTE) {
      @Override
      Router router(MockCluster cluster, KubernetesClient client) {
        Fixtures.routeScene(cluster);
        return HttpRouteRouter.builder(client).namespace(MockCluster.NS).httpRoute(Fixtures.ROUTE)
            .service(BLUE, "app-blue").service(GREEN, "app-green").build();
      }

      @Override
      int greenShare(String json) {
        HTTPRoute r = JSON.unmarshal(json, HTTPRoute.class);
        int blue = 0;
        int green = 0;
        for (HTTPBackendRef ref : r.getSpec().getRules().get(0).getBackendRefs()) {
          if (ref.getName().equals("app-blue")) {
            blue = ref.getWeight();
          } else if (ref.getName().equals("app-green")) {
            green = ref.getWeight();
          }
        }
        assertThat(blue + green).as("weights written as percents").isEqualTo(100);
        return green;
      }
    };

    final String routerName;
    final String objectPath;

    Scene(String routerName, String objectPath) {
      this.routerName = routerName;
      this.objectPath = objectPath;
    }

    /** Seeds the scene through the cluster's own client and builds the router on {@code client}. */
    abstract Router router(MockCluster cluster, KubernetesClient client);

    /** @return green's share in the object (a PUT body or the stored object), 0..100 */
    abstract int greenShare(String json);

    boolean weighted() {
      return this == HTTP_ROUTE;
    }

    StageSchedule schedule() {
      return weighted() ? StageSchedule.targetWeights(Duration.ofMinutes(2), 10, 50, 100) : StageSchedule.allAtOnce(Duration.ofMinutes(2));
    }

    /** @return the stage whose write is faulted (STAGE_WRITE) or in which the gate fails (ROLLBACK_WRITE) */
    int faultedStage() {
      return weighted() ? 2 : 1;
    }

    /** @return green's share written by the faulted stage */
    int faultedStageShare() {
      return weighted() ? 50 : 100;
    }

    String faultName(K8sFault fault, Point point) {
      return weighted() || point == Point.FIRST_READ ? fault.label : fault.label + " (stage 1 of 1: atomic router)";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the faults

  /** What the API server (or the network) does to a faulted request, and what the retry must say about it. */
  enum K8sFault {
    HTTP_500("HTTP 500", "failed with HTTP 500") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        return status(500, "InternalError", "Internal error occurred: etcdserver: request timed out", null);
      }
    },
    HTTP_503("HTTP 503", "failed with HTTP 503") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        return status(503, "ServiceUnavailable", "the server is currently unable to handle the request", null);
      }
    },
    THROTTLED("HTTP 429 (Retry-After " + RETRY_AFTER_SECONDS + " s)", "throttled by the API server (HTTP 429)") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        return status(429, "TooManyRequests", "Too many requests, please try again later.", RETRY_AFTER_SECONDS)
            .addHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      }
    },
    CONNECTION_RESET("connection reset", "could not reach the API server") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        throw new UnsupportedOperationException("served by the ResettingProxy");
      }
    },
    READ_TIMEOUT("read timeout (reply after " + LATE_REPLY_MILLIS + " ms, request timeout " + SHORT_TIMEOUT_MILLIS + " ms)",
        "the API server did not answer in time") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        // a body is needed for the mock server to honour the delay; if it ever arrived in time it would still be a failure
        return status(504, "Timeout", "late reply", null).setBodyDelay(Duration.ofMillis(LATE_REPLY_MILLIS));
      }
    },
    /**
     * A 409 on a PUT is handled by the router itself once (re-read; the routing is unchanged, so it
     * writes again on the fresh version: see ConcurrentWriteTest), so a single 409 costs a second PUT
     * but no engine retry; two in a row are a transient failure the engine retries. A 409 on a GET is
     * the same transient failure as a 5xx.
     */
    CONFLICT("HTTP 409 Conflict", "HTTP 409") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        return status(409, "Conflict", "Operation cannot be fulfilled: the object has been modified;"
            + " please apply your changes to the latest version and try again", null);
      }
    },
    /**
     * Not a matrix fault (the matrix's faulted requests never reach the store): the write is applied by
     * the store, and its reply comes too late. Only meaningful once, on a write: the retry must find the
     * split in place and not write it again.
     */
    READ_TIMEOUT_APPLIED("read timeout after the write was applied (reply after " + LATE_REPLY_MILLIS + " ms, request timeout "
        + SHORT_TIMEOUT_MILLIS + " ms)", "the API server did not answer in time") {
      @Override
      MockResponse response(Supplier<MockResponse> store) {
        return store.get().setBodyDelay(Duration.ofMillis(LATE_REPLY_MILLIS));
      }
    };

    final String label;
    final String retryMentions;

    K8sFault(String label, String retryMentions) {
      this.label = label;
      this.retryMentions = retryMentions;
    }

    /**
     * @param store lets the store apply the request and returns its response
     * @return what the faulted request gets
     */
    abstract MockResponse response(Supplier<MockResponse> store);

    boolean timesOut() {
      return this == READ_TIMEOUT || this == READ_TIMEOUT_APPLIED;
    }

    /** @return how many requests one failed engine attempt sends into the fault */
    int faultedRequestsPerAttempt(Point point) {
      return this == CONFLICT && point != Point.FIRST_READ ? 2 : 1;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private static MockResponse status(int code, String reason, String message, Integer retryAfterSeconds) {
    StatusBuilder b = new StatusBuilder().withKind("Status").withApiVersion("v1").withStatus("Failure").withCode(code)
        .withReason(reason).withMessage(message);
    if (retryAfterSeconds != null) {
      b.withNewDetails().withRetryAfterSeconds(retryAfterSeconds).endDetails();
    }
    Status s = b.build();
    return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(JSON.asJson(s));
  }

  /** Which requests a cell's fault hits, and how many it has hit. */
  private static final class Injection implements Predicate<MockCluster.Request> {
    private final Predicate<MockCluster.Request> target;
    private final Persistence persistence;
    private final AtomicInteger served = new AtomicInteger();

    Injection(Predicate<MockCluster.Request> target, Persistence persistence) {
      this.target = target;
      this.persistence = persistence;
    }

    @Override
    public boolean test(MockCluster.Request request) {
      if (!target.test(request)) {
        return false;
      }
      if (persistence == Persistence.ONCE) {
        return served.compareAndSet(0, 1);
      }
      served.incrementAndGet();
      return true;
    }

    int served() {
      return served.get();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the cells

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Scene scene : Scene.values()) {
      for (K8sFault fault : K8sFault.values()) {
        if (fault == K8sFault.READ_TIMEOUT_APPLIED) {
          continue;
        }
        for (Point point : Point.values()) {
          for (Persistence persistence : Persistence.values()) {
            cells.add(Arguments.of(scene, fault, point, persistence, FaultMatrix.expected(point, persistence)));
          }
        }
      }
    }
    return cells.stream();
  }

  @BeforeAll
  static void warmUp() {
    // load and warm the client, the mock server, the proxy and the engine once per router (a whole
    // plan with a fault retried), so that the first cells' requests are not slowed by class loading
    for (Scene scene : Scene.values()) {
      try (MockCluster cluster = MockCluster.start()) {
        Injection injection = new Injection(target(scene, Point.STAGE_WRITE), Persistence.ONCE);
        SwitchResult result = runCell(cluster, scene, K8sFault.HTTP_503, Point.STAGE_WRITE, Persistence.ONCE, injection, ROLLBACK_RETRY).result();
        assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      }
      try (MockCluster cluster = MockCluster.start()) {
        Injection injection = new Injection(target(scene, Point.FIRST_READ), Persistence.ONCE);
        SwitchResult result = runCell(cluster, scene, K8sFault.CONNECTION_RESET, Point.FIRST_READ, Persistence.ONCE, injection,
            ROLLBACK_RETRY).result();
        assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      }
    }
  }

  @ParameterizedTest(name = "{0} / {1} at {2}, {3} → {4}")
  @MethodSource("cells")
  void cell(Scene scene, K8sFault fault, Point point, Persistence persistence, Outcome expected) {
    try (MockCluster cluster = MockCluster.start()) {
      Injection injection = new Injection(target(scene, point), persistence);
      RetryPolicy rollbackRetry = persistence == Persistence.PERSISTENT ? PERSISTENT_ROLLBACK_RETRY : ROLLBACK_RETRY;
      Run cellRun = runCell(cluster, scene, fault, point, persistence, injection, rollbackRetry);
      SwitchResult result = cellRun.result();
      List<MockCluster.Request> requests = cluster.requestsSince(cellRun.firstRequest());
      assertFaultWasServed(scene, fault, point, persistence, injection, rollbackRetry, result, requests);
      FaultMatrix.cell(scene.routerName, scene.faultName(fault, point), point, persistence).retries(FORWARD_RETRY, rollbackRetry)
          .check(result);
      assertObjectIsWhereTheResultSays(scene, cluster, result, requests);
    }
  }

  static Stream<Arguments> appliedWrites() {
    return Stream.of(Scene.values()).flatMap(scene -> Stream.of(Point.STAGE_WRITE, Point.ROLLBACK_WRITE).map(point -> Arguments.of(scene, point)));
  }

  /**
   * A write whose reply never comes although the API server applied it: the engine retries (one
   * RetryScheduled, after re-reading the route for drift), and the router, which reads the object
   * before writing, finds the split in place and sends no second PUT. Recorded as an extra ONCE row
   * ("read timeout after the write was applied"); its "writes" column counts the engine's calls to
   * {@code apply} (2), not PUTs (1).
   */
  @ParameterizedTest(name = "{0} / timed-out write that was applied, at {1}")
  @MethodSource("appliedWrites")
  void aTimedOutWriteThatWasAppliedIsNotWrittenAgain(Scene scene, Point point) {
    K8sFault fault = K8sFault.READ_TIMEOUT_APPLIED;
    try (MockCluster cluster = MockCluster.start()) {
      Injection injection = new Injection(target(scene, point), Persistence.ONCE);
      Run cellRun = runCell(cluster, scene, fault, point, Persistence.ONCE, injection, ROLLBACK_RETRY);
      SwitchResult result = cellRun.result();
      List<MockCluster.Request> requests = cluster.requestsSince(cellRun.firstRequest());
      assertFaultWasServed(scene, fault, point, Persistence.ONCE, injection, ROLLBACK_RETRY, result, requests);
      int share = point == Point.STAGE_WRITE ? scene.faultedStageShare() : 0;
      assertThat(requests.stream().filter(r -> r.method().equals("PUT") && r.resourcePath().equals(scene.objectPath)
          && scene.greenShare(r.body()) == share)).as("the applied write is not sent again: " + result.summary()).hasSize(1);
      FaultMatrix.cell(scene.routerName, scene.faultName(fault, point), point, Persistence.ONCE).retries(FORWARD_RETRY, ROLLBACK_RETRY)
          .writeLanded().check(result);
      assertObjectIsWhereTheResultSays(scene, cluster, result, requests);
    }
  }

  /** A plan's result, and the index of the first request it made. */
  private record Run(SwitchResult result, int firstRequest) {
  }

  private static Run runCell(MockCluster cluster, Scene scene, K8sFault fault, Point point, Persistence persistence,
      Injection injection, RetryPolicy rollbackRetry) {
    ResettingProxy proxy = fault == K8sFault.CONNECTION_RESET ? ResettingProxy.start(cluster.url(), injection) : null;
    try {
      // a timeout cell's client marks the requests it targets and gives them the short timeout; the server answers them late
      KubernetesClient client = fault.timesOut() ? cluster.markingClient(GENEROUS_TIMEOUT_MILLIS, injection, SHORT_TIMEOUT_MILLIS)
          : cluster.newClient(proxy != null ? proxy.url() : cluster.url(),
              b -> b.withRequestTimeout(GENEROUS_TIMEOUT_MILLIS).withConnectionTimeout(2_000));
      Router router = scene.router(cluster, client);
      int mark = cluster.requestCount();
      if (proxy == null) {
        cluster.intercept((request, store) -> (fault.timesOut() ? request.marked() : injection.test(request)) ? fault.response(store) : null);
      }
      VirtualClock clock = VirtualClock.create();
      SwitchPlan plan = SwitchPlan.builder()
          .name(scene.routerName + " " + fault.name() + " " + point + " " + persistence)
          .router(router).from(BLUE).to(GREEN)
          .schedule(scene.schedule())
          .gate(point == Point.ROLLBACK_WRITE
              ? ScriptedGate.unhealthyDuringStage(scene.faultedStage(), "green 5xx rate 12%") : ScriptedGate.healthy())
          .gateInterval(Duration.ofSeconds(30))
          .retry(FORWARD_RETRY).rollbackRetry(rollbackRetry)
          .lock(new InProcessRouteLock()).defaultLogging(false)
          .waitForClientConvergence(false)
          .time(clock)
          .build();

      SwitchResult result = plan.execute();
      boolean interruptLeaked = Thread.interrupted();
      cluster.intercept(null);
      assertThat(interruptLeaked).as("the plan must not leave the test thread interrupted: " + result.summary()).isFalse();
      return new Run(result, mark);
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  /** The requests a cell's fault targets. */
  private static Predicate<MockCluster.Request> target(Scene scene, Point point) {
    Function<MockCluster.Request, Boolean> onObject = r -> r.resourcePath().equals(scene.objectPath);
    return switch (point) {
      case FIRST_READ -> r -> onObject.apply(r) && r.method().equals("GET");
      case STAGE_WRITE -> r -> onObject.apply(r) && r.method().equals("PUT") && scene.greenShare(r.body()) == scene.faultedStageShare();
      case ROLLBACK_WRITE -> r -> onObject.apply(r) && r.method().equals("PUT") && scene.greenShare(r.body()) == 0;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // checking

  /** The fault was served to the requests the cell targets, once or on every attempt the retry policy allows, and retried by the engine. */
  private static void assertFaultWasServed(Scene scene, K8sFault fault, Point point, Persistence persistence, Injection injection,
      RetryPolicy rollbackRetry, SwitchResult result, List<MockCluster.Request> requests) {
    int attempts = point == Point.ROLLBACK_WRITE ? rollbackRetry.maxAttempts() : FORWARD_RETRY.maxAttempts();
    TrafficSplit faultedStage = TrafficSplit.between(BLUE, GREEN, scene.faultedStageShare());
    String operation = switch (point) {
      case FIRST_READ -> "read the current split";
      case STAGE_WRITE -> "apply " + faultedStage;
      case ROLLBACK_WRITE -> "rollback to " + TrafficSplit.between(BLUE, GREEN, 0);
    };
    List<SwitchEvent.RetryScheduled> retries = result.events(SwitchEvent.RetryScheduled.class).stream()
        .filter(r -> r.operation().equals(operation)).toList();
    String why = scene.routerName + " / " + fault + " at " + point + " " + persistence + ": " + result.summary() + "; retries "
        + result.events(SwitchEvent.RetryScheduled.class);
    boolean absorbedByRouter = persistence == Persistence.ONCE && fault.faultedRequestsPerAttempt(point) == 2;

    int expectedServed = persistence == Persistence.ONCE ? 1 : attempts * fault.faultedRequestsPerAttempt(point);
    assertThat(injection.served()).as("requests the fault was served to; " + why).isEqualTo(expectedServed);
    int expectedRetries = persistence == Persistence.PERSISTENT ? attempts - 1 : absorbedByRouter ? 0 : 1;
    assertThat(retries).as("retries of \"" + operation + "\"; " + why).hasSize(expectedRetries)
        .allSatisfy(r -> assertThat(r.error()).contains(fault.retryMentions));
    assertThat(result.events(SwitchEvent.RetryScheduled.class)).as("no retry but the injected fault's; " + why).hasSameSizeAs(retries);
    if (fault == K8sFault.THROTTLED) {
      assertThat(retries).as("the backoff honours Retry-After; " + why)
          .allSatisfy(r -> assertThat(r.backoff()).isGreaterThanOrEqualTo(Duration.ofSeconds(RETRY_AFTER_SECONDS)));
    }
    if (absorbedByRouter) {
      // the router re-read the object after the 409 and wrote again on the fresh version: two PUTs of the same content
      long puts = requests.stream().filter(r -> r.method().equals("PUT") && r.resourcePath().equals(scene.objectPath)
          && scene.greenShare(r.body()) == (point == Point.STAGE_WRITE ? scene.faultedStageShare() : 0)).count();
      assertThat(puts).as("the conflicting PUT and the router's second PUT; " + why).isEqualTo(2);
    }
  }

  /** The stored object holds what the result says: the target, the prior split, or the split last read. */
  private static void assertObjectIsWhereTheResultSays(Scene scene, MockCluster cluster, SwitchResult result,
      List<MockCluster.Request> requests) {
    int green = scene.greenShare(storedJson(scene, cluster));
    switch (result.outcome()) {
      case COMPLETED -> assertThat(green).as(result.summary()).isEqualTo(100);
      case ROLLED_BACK -> {
        assertThat(green).as(result.summary()).isZero();
        assertThat(result.trafficNow()).as(result.summary()).contains(TrafficSplit.between(BLUE, GREEN, 0));
      }
      case ROLLBACK_FAILED -> {
        assertThat(result.trafficNow()).as(result.summary()).contains(TrafficSplit.between(BLUE, GREEN, scene.faultedStageShare()));
        assertThat(green).as(result.summary()).isEqualTo(scene.faultedStageShare());
      }
      case ABORTED -> {
        // at the first read: no write at all; at an atomic router's only stage write: refused attempts only, none applied
        if (result.writeAttempts() == 0) {
          assertThat(MockCluster.writes(requests)).as("no write after an abort at the first read; " + result.summary()).isEmpty();
        }
        assertThat(result.writes()).as(result.summary()).isZero();
        assertThat(green).as(result.summary()).isZero();
      }
      default -> throw new IllegalStateException(result.outcome().name());
    }
  }

  private static String storedJson(Scene scene, MockCluster cluster) {
    KubernetesClient c = cluster.client();
    Object stored = switch (scene) {
      case SERVICE_SELECTOR -> c.services().inNamespace(MockCluster.NS).withName(Fixtures.SERVICE).get();
      case INGRESS -> c.network().v1().ingresses().inNamespace(MockCluster.NS).withName(Fixtures.INGRESS).get();
      case HTTP_ROUTE -> c.resources(HTTPRoute.class).inNamespace(MockCluster.NS).withName(Fixtures.ROUTE).get();
    };
    return JSON.asJson(stored);
  }
}
