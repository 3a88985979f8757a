package io.bluegreen.k8s.real;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.k8s.support.ReadmeRoles;
import io.bluegreen.k8s.support.ResettingProxy;
import io.bluegreen.k8s.support.ResettingProxy.Action;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.FaultMatrix;
import io.bluegreen.testkit.FaultMatrix.Persistence;
import io.bluegreen.testkit.FaultMatrix.Point;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.ScriptedGate;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A subset of {@code KubernetesFaultMatrixTest} on a real kube-apiserver: the HttpRouteRouter plan
 * (target weights 10, 50, 100; a gate fails in stage 2 for the rollback cells), its client (user-1,
 * README Role only) talking to {@link ResettingProxy} in front of the server, which resets the
 * connection, answers 500 or 429 (Retry-After 1 s) itself without forwarding, or forwards a write and
 * loses its reply once the server has applied it. Each cell ends in the state docs/RELIABILITY.md
 * documents (checked and recorded by {@link FaultMatrix#check}); the route is then read from the server
 * (admin) and must hold the split the result names, and the server's audit log must show every write
 * the plan landed, none of them twice. Backoffs run on a {@link VirtualClock}.
 */
@Evidence(backend = "a real kube-apiserver + etcd (scripts/kube), faults from a TLS proxy in front of it")
class RealFaultTest {

  private static final String USER = "user-1";
  private static final String BACKEND = "real kube-apiserver";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RetryPolicy PERSISTENT_ROLLBACK_RETRY = RetryPolicy.builder().maxAttempts(4)
      .maxBackoff(RetryPolicy.rollbackDefaults().maxBackoff()).build();

  /** A fault the proxy applies to the requests a cell targets. */
  enum Fault {
    RESET("connection reset", "could not reach the API server", Action.RESET),
    HTTP_500("HTTP 500", "failed with HTTP 500", Action.respond(500,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500,\"reason\":\"InternalError\","
            + "\"message\":\"Internal error occurred: etcdserver: request timed out\"}")),
    THROTTLED("HTTP 429 (Retry-After 1 s)", "throttled by the API server (HTTP 429)", Action.respond(429,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":429,\"reason\":\"TooManyRequests\","
            + "\"message\":\"Too many requests, please try again later.\",\"details\":{\"retryAfterSeconds\":1}}", "Retry-After", "1")),
    LOST_REPLY("write applied, reply lost (connection reset after the server answered)", "could not reach the API server",
        Action.LOSE_REPLY);

    final String label;
    final String retryMentions;
    final Action action;

    Fault(String label, String retryMentions, Action action) {
      this.label = label;
      this.retryMentions = retryMentions;
      this.action = action;
    }
  }

  static Stream<Arguments> cells() {
    return Stream.of(
        Arguments.of(Fault.RESET, Point.STAGE_WRITE, Persistence.ONCE),
        Arguments.of(Fault.RESET, Point.STAGE_WRITE, Persistence.PERSISTENT),
        Arguments.of(Fault.HTTP_500, Point.FIRST_READ, Persistence.PERSISTENT),
        Arguments.of(Fault.HTTP_500, Point.STAGE_WRITE, Persistence.ONCE),
        Arguments.of(Fault.HTTP_500, Point.ROLLBACK_WRITE, Persistence.PERSISTENT),
        Arguments.of(Fault.THROTTLED, Point.FIRST_READ, Persistence.ONCE),
        Arguments.of(Fault.THROTTLED, Point.STAGE_WRITE, Persistence.PERSISTENT),
        Arguments.of(Fault.THROTTLED, Point.ROLLBACK_WRITE, Persistence.ONCE),
        Arguments.of(Fault.LOST_REPLY, Point.STAGE_WRITE, Persistence.ONCE),
        Arguments.of(Fault.LOST_REPLY, Point.ROLLBACK_WRITE, Persistence.ONCE));
  }

  @ParameterizedTest(name = "{0} at {1}, {2}")
  @MethodSource("cells")
  void endsInTheDocumentedStateVerifiedOnTheServer(Fault fault, Point point, Persistence persistence) throws Exception {
    RealCluster cluster = RealCluster.get();
    try (RealCluster.TestNamespace ns = cluster.namespace("fault-" + fault.name() + "-" + point.name())) {
      RealScene scene = new RealScene(cluster, ns.name());
      scene.environmentService("app-blue", "blue", 2);
      scene.environmentService("app-green", "green", 2);
      scene.httpRoute(Fixtures.ROUTE, "app-blue", 100, "app-green", 0);
      cluster.bind(ns.name(), ReadmeRoles.role(ReadmeRoles.HTTPROUTE_ROUTER), USER);
      String object = "/apis/gateway.networking.k8s.io/v1/namespaces/" + ns.name() + "/httproutes/" + Fixtures.ROUTE;
      Predicate<MockCluster.Request> target = target(point, object);
      AtomicBoolean servedOnce = new AtomicBoolean();
      int[] served = {0};

      try (ResettingProxy proxy = ResettingProxy.start(cluster.url(), cluster.tls(), r -> {
        if (!target.test(r) || persistence == Persistence.ONCE && !servedOnce.compareAndSet(false, true)) {
          return Action.PASS;
        }
        served[0]++;
        return fault.action;
      }); KubernetesClient client = cluster.newClient(USER, b -> b.withMasterUrl(proxy.url()))) {
        HttpRouteRouter router = HttpRouteRouter.builder(client).namespace(ns.name()).httpRoute(Fixtures.ROUTE)
            .service(BLUE, "app-blue").service(GREEN, "app-green").build();
        VirtualClock clock = VirtualClock.create();
        ScriptedGate gate = point == Point.ROLLBACK_WRITE ? ScriptedGate.unhealthyDuringStage(2, "green error rate 9%")
            : ScriptedGate.healthy();
        int mark = cluster.audit().mark();
        SwitchResult result = Plans.plan(router, StageSchedule.targetWeights(Duration.ofMinutes(2), 10, 50, 100), clock,
                new RecordingListener()).gate(gate)
            .rollbackRetry(persistence == Persistence.PERSISTENT ? PERSISTENT_ROLLBACK_RETRY : RetryPolicy.rollbackDefaults())
            .build().execute();

        FaultMatrix.Cell cell = FaultMatrix.cell("HttpRouteRouter", fault.label + " [" + BACKEND + "]", point, persistence)
            .retries(RetryPolicy.defaults(), persistence == Persistence.PERSISTENT ? PERSISTENT_ROLLBACK_RETRY : RetryPolicy.rollbackDefaults());
        (fault == Fault.LOST_REPLY ? cell.writeLanded() : cell).check(result);
        String why = fault + " at " + point + " " + persistence + ": " + result.summary();
        assertThat(served[0]).as("the fault was served; " + why).isPositive();
        List<SwitchEvent.RetryScheduled> retries = result.events(SwitchEvent.RetryScheduled.class);
        assertThat(retries).as("every retry was the injected fault's; " + why).isNotEmpty()
            .allSatisfy(r -> assertThat(r.error()).contains(fault.retryMentions));
        if (persistence == Persistence.ONCE) {
          assertThat(retries).as(why).hasSize(1);
        }
        if (fault == Fault.THROTTLED) {
          assertThat(retries).as("the backoff honours Retry-After; " + why)
              .allSatisfy(r -> assertThat(r.backoff()).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
        }

        // the server holds what the result says
        int green = greenWeight(scene);
        switch (result.outcome()) {
          case COMPLETED -> assertThat(green).as(why).isEqualTo(100);
          case ROLLED_BACK -> assertThat(green).as(why).isZero();
          case ROLLBACK_FAILED -> assertThat(result.trafficNow()).as(why).contains(TrafficSplit.of(BLUE, 50, GREEN, 50));
          case ABORTED -> assertThat(green).as(why).isZero();
          default -> throw new IllegalStateException(result.outcome().name());
        }
        assertThat(result.trafficNow().map(t -> t.weightOf(GREEN)).orElse(0)).as("result vs server; " + why).isEqualTo(green);

        // what landed, from the server's side: each split at most once, in plan order
        List<Integer> landed = cluster.audit().since(mark, e -> e.user().equals(USER) && e.isWrite() && e.code() < 400
            && e.namespace().equals(ns.name())).stream().map(e -> greenWeight(e.requestObject())).toList();
        assertThat(landed).as("writes that landed (audit log), none twice; " + why).doesNotHaveDuplicates();
        List<Integer> expected = switch (result.outcome()) {
          case COMPLETED -> List.of(10, 50, 100);
          case ROLLED_BACK -> point == Point.ROLLBACK_WRITE ? List.of(10, 50, 0) : List.of(10, 0);
          case ROLLBACK_FAILED -> List.of(10, 50);
          default -> List.of();
        };
        assertThat(landed).as(why).containsExactlyElementsOf(expected);
      }
    }
  }

  /** The requests a cell's fault targets. */
  private static Predicate<MockCluster.Request> target(Point point, String object) {
    return switch (point) {
      case FIRST_READ -> r -> r.resourcePath().equals(object) && r.method().equals("GET");
      case STAGE_WRITE -> r -> r.resourcePath().equals(object) && r.method().equals("PUT") && greenWeight(body(r)) == 50;
      case ROLLBACK_WRITE -> r -> r.resourcePath().equals(object) && r.method().equals("PUT") && greenWeight(body(r)) == 0;
    };
  }

  private static JsonNode body(MockCluster.Request r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int greenWeight(JsonNode route) {
    for (JsonNode ref : route.at("/spec/rules/0/backendRefs")) {
      if (ref.path("name").asText().equals("app-green")) {
        return ref.path("weight").asInt();
      }
    }
    return 0;
  }

  private static int greenWeight(RealScene scene) {
    return scene.getHttpRoute(Fixtures.ROUTE).getSpec().getRules().get(0).getBackendRefs().stream()
        .filter(r -> r.getName().equals("app-green")).map(HTTPBackendRef::getWeight).findFirst().orElse(0);
  }
}
