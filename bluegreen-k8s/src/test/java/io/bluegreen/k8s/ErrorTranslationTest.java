package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.k8s.support.Fixtures;
import io.bluegreen.k8s.support.MockCluster;
import io.bluegreen.k8s.support.Plans;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** fabric8 failures become RouterExceptions: transient or permanent, with a message saying what to fix. */
class ErrorTranslationTest {

  private static final String PATH = "/api/v1/namespaces/default/services/app-service";
  private final MockCluster cluster = MockCluster.start();

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static io.fabric8.kubernetes.api.model.Status status(int code, String message) {
    return new StatusBuilder().withCode(code).withMessage(message).build();
  }

  @ParameterizedTest
  @CsvSource({
      "500, true, failed with HTTP 500",
      "502, true, failed with HTTP 502",
      "503, true, failed with HTTP 503",
      "504, true, failed with HTTP 504",
      "409, true, conflicted with another change (HTTP 409)",
      "401, false, did not accept the client's credentials (HTTP 401)",
      "403, false, get Service default/app-service is forbidden (HTTP 403): grant the client's identity 'get' on services",
      "400, false, was rejected as invalid (HTTP 400)",
      "422, false, was rejected as invalid (HTTP 422)",
      "501, false, failed with HTTP 501",
  })
  void readFailuresAreClassified(int code, boolean transientFailure, String message) {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 1, 0);
    cluster.expect().get().withPath(PATH).andReturn(code, status(code, "scripted failure")).once();

    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isEqualTo(transientFailure));
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE));
  }

  @Test
  void throttlingCarriesTheServersRetryAfter() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 1, 0);
    cluster.expect().get().withPath(PATH).andReturn(429, new StatusBuilder().withCode(429).withReason("TooManyRequests")
        .withMessage("Too many requests, please try again later.").withNewDetails().withRetryAfterSeconds(3).endDetails().build()).once();

    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("throttled by the API server (HTTP 429)")
        .satisfies(e -> {
          RouterException r = (RouterException) e;
          assertThat(r.isTransient()).isTrue();
          assertThat(r.retryAfter()).contains(Duration.ofSeconds(3));
        });
  }

  @Test
  void aForbiddenWriteNamesTheVerbAndResourceToGrant() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 1, 0);
    cluster.expect().put().withPath(PATH).andReturn(403, status(403,
        "services \"app-service\" is forbidden: User \"system:serviceaccount:ci:deployer\" cannot update resource")).once();

    assertThatThrownBy(() -> router.apply(TrafficSplit.allTo(GREEN, BLUE))).isInstanceOf(RouterException.class)
        .hasMessageContaining("update Service default/app-service is forbidden (HTTP 403): grant the client's identity 'update' on services")
        .hasMessageContaining("see the Role rules in the bluegreen-k8s README")
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isFalse());
  }

  @Test
  void anUnreachableApiServerIsTransient() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(2_000).build();
    try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(config).build()) {
      ServiceSelectorRouter router = ServiceSelectorRouter.builder(unreachable).service("app-service").environments(BLUE, GREEN).build();
      assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
          .hasMessageContaining("could not reach the API server to get Service default/app-service")
          .satisfies(e -> assertThat(((RouterException) e).isTransient()).isTrue());
    }
  }

  @Test
  void aRequestThatTimesOutIsTransientAndNotReportedAsUnreachable() {
    Fixtures.serviceScene(cluster, 1, 0);
    KubernetesClient impatient = cluster.newClient(cluster.url(), b -> b.withRequestTimeout(300));
    ServiceSelectorRouter router = ServiceSelectorRouter.builder(impatient).service("app-service").environments(BLUE, GREEN).build();
    cluster.intercept((r, store) -> r.path().equals(PATH) ? new MockResponse().setResponseCode(200).setBody("{}")
        .setBodyDelay(Duration.ofMillis(3_000)) : null); // the reply comes long after the timeout, however late the client's timer fires

    assertThatThrownBy(router::current).isInstanceOf(RouterException.class)
        .hasMessageContaining("the API server did not answer in time to get Service default/app-service")
        .hasMessageContaining("raise the client's requestTimeout")
        .hasMessageNotContaining("could not reach")
        .satisfies(e -> assertThat(((RouterException) e).isTransient()).isTrue());
  }

  @Test
  void aPlanRetriesA503AndA429AndCompletes() {
    ServiceSelectorRouter router = Fixtures.serviceScene(cluster, 1, 0);
    cluster.expect().put().withPath(PATH).andReturn(503, status(503, "etcd leader changed")).once();
    cluster.expect().get().withPath(PATH).andReturn(429, new StatusBuilder().withCode(429).withNewDetails().withRetryAfterSeconds(7)
        .endDetails().build()).once();
    VirtualClock clock = VirtualClock.create();
    RecordingListener events = new RecordingListener();

    SwitchResult result = Plans.plan(router, StageSchedule.allAtOnce(), clock, events)
        .retry(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(100)).build()).build().execute();

    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(events.ofType(SwitchEvent.RetryScheduled.class)).hasSize(2)
        .anySatisfy(r -> {
          assertThat(r.error()).contains("HTTP 429");
          assertThat(r.backoff()).isGreaterThanOrEqualTo(Duration.ofSeconds(7));
        })
        .anySatisfy(r -> assertThat(r.error()).contains("failed with HTTP 503"));
    assertThat(cluster.getService("app-service").getSpec().getSelector()).containsEntry("version", "green");
  }
}
