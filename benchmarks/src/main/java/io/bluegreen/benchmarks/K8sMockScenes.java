package io.bluegreen.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bluegreen.core.Router;
import io.bluegreen.k8s.HttpRouteRouter;
import io.bluegreen.k8s.IngressBackendRouter;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's kubernetes-server-mock in CRUD mode on 127.0.0.1, in process, with the objects the
 * Kubernetes routers switch and what their preflight reads (ready Pods for the Service router; the
 * environments' Services and EndpointSlices for the Ingress and HTTPRoute routers). Requests are
 * counted from the server's own request log.
 *
 * <pre>{@code
 * try (K8sMockScenes k8s = K8sMockScenes.start()) {
 *   RollbackBenchmark.measure(k8s.service(), 20, 20, 2);
 * }
 * }</pre>
 */
final class K8sMockScenes implements AutoCloseable {

  static final String NS = "default";
  /** Kept strongly reachable: the mock server logs every request through java.util.logging. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<String> log = new ArrayList<>();

  private K8sMockScenes() {
    MOCK_LOG.setLevel(Level.WARNING);
    ObjectMapper mapper = new ObjectMapper();
    new KubernetesSerialization(mapper, true); // configures the mapper the way fabric8 serializes its models
    server = new KubernetesMockServer(new Context(mapper), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    // fabric8's own retries off, as the README recommends: the plan engine's retries are the only ones
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.getPort()).withNamespace(NS)
        .withRequestRetryBackoffLimit(0).withConnectionTimeout(5_000).withRequestTimeout(10_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    pods("blue", 2);
    pods("green", 2);
    environmentService("app-blue", "blue");
    environmentService("app-green", "green");
  }

  /** @return a started server with the shared objects */
  static K8sMockScenes start() {
    return new K8sMockScenes();
  }

  /** @return ServiceSelectorRouter on Service app-service (selector version=blue); a round trip is a GET of it */
  RollbackBenchmark.Scene service() {
    client.services().inNamespace(NS).resource(service("app-service", "blue")).create();
    Router router = ServiceSelectorRouter.builder(client).namespace(NS).service("app-service")
        .environments(RollbackBenchmark.BLUE, RollbackBenchmark.GREEN).build();
    return scene("k8s-mock ServiceSelectorRouter", router, "GET Service",
        () -> client.services().inNamespace(NS).withName("app-service").get(),
        "PUT Service", client.services().inNamespace(NS).resource(service("app-service-twin", "blue")).create());
  }

  /** @return IngressBackendRouter on Ingress app (/ to app-blue); a round trip is a GET of it */
  RollbackBenchmark.Scene ingress() {
    client.network().v1().ingresses().inNamespace(NS).resource(new IngressBuilder().withNewMetadata().withName("app").withNamespace(NS)
        .endMetadata().withNewSpec().withIngressClassName("nginx").addNewRule().withHost("shop.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("app-blue")
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();
    Ingress twin = client.network().v1().ingresses().inNamespace(NS).withName("app").get();
    twin = client.resource(new IngressBuilder(twin).editMetadata().withName("app-twin").withResourceVersion(null).endMetadata().build()).create();
    Router router = IngressBackendRouter.builder(client).namespace(NS).ingress("app")
        .service(RollbackBenchmark.BLUE, "app-blue").service(RollbackBenchmark.GREEN, "app-green").build();
    return scene("k8s-mock IngressBackendRouter", router, "GET Ingress",
        () -> client.network().v1().ingresses().inNamespace(NS).withName("app").get(), "PUT Ingress", twin);
  }

  /** @return HttpRouteRouter on HTTPRoute app (app-blue 100, app-green 0); a round trip is a GET of it */
  RollbackBenchmark.Scene httpRoute() {
    client.resources(HTTPRoute.class).inNamespace(NS).resource(new HTTPRouteBuilder().withNewMetadata().withName("app").withNamespace(NS)
        .endMetadata().withNewSpec().addNewParentRef().withName("shop-gateway").endParentRef().addNewRule().withName("app")
        .addNewBackendRef().withName("app-blue").withPort(80).withWeight(100).endBackendRef()
        .addNewBackendRef().withName("app-green").withPort(80).withWeight(0).endBackendRef().endRule().endSpec().build()).create();
    HTTPRoute twin = client.resources(HTTPRoute.class).inNamespace(NS).withName("app").get();
    twin = client.resource(new HTTPRouteBuilder(twin).editMetadata().withName("app-twin").withResourceVersion(null).endMetadata().build()).create();
    Router router = HttpRouteRouter.builder(client).namespace(NS).httpRoute("app")
        .service(RollbackBenchmark.BLUE, "app-blue").service(RollbackBenchmark.GREEN, "app-green").build();
    return scene("k8s-mock HttpRouteRouter", router, "GET HTTPRoute",
        () -> client.resources(HTTPRoute.class).inNamespace(NS).withName("app").get(), "PUT HTTPRoute", twin);
  }

  /**
   * @param twin an object of the kind the router writes, which no plan uses: {@link RollbackBenchmark.Scene#writeRoundTrip()}
   *     updates it with a PUT carrying its last resourceVersion, as the router's conditional write does, flipping a label
   */
  private <T extends HasMetadata> RollbackBenchmark.Scene scene(String name, Router router, String roundTripName, Runnable roundTrip,
      String writeName, T twin) {
    AtomicReference<T> last = new AtomicReference<>(twin);
    return new RollbackBenchmark.Scene() {
      @Override
      public String writeName() {
        return writeName + " (a twin)";
      }

      @Override
      public void writeRoundTrip() {
        T object = last.get();
        Map<String, String> labels = new HashMap<>(object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels());
        labels.put("bench", "1".equals(labels.get("bench")) ? "0" : "1");
        object.getMetadata().setLabels(labels);
        last.set(client.resource(object).update());
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public Router router() {
        return router;
      }

      @Override
      public String roundTripName() {
        return roundTripName;
      }

      @Override
      public void roundTrip() {
        roundTrip.run();
      }

      @Override
      public long requestCount() {
        return server.getRequestCount();
      }

      @Override
      public List<String> requests(long from, long to) {
        return requestLog().subList((int) from, (int) to);
      }

      @Override
      public int roundTripsAtLeast() {
        return 1;
      }

      @Override
      public void close() {
        // the server and client are shared by the scenes: closed with K8sMockScenes
      }
    };
  }

  /** @return every request the server received so far, "METHOD path", in order */
  private synchronized List<String> requestLog() {
    try {
      RecordedRequest r;
      while ((r = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        log.add(r.getMethod() + " " + r.getPath());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.copyOf(log);
  }

  private void pods(String version, int count) {
    for (int i = 0; i < count; i++) {
      client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("app-" + version + "-" + i).withNamespace(NS)
          .withLabels(Map.of("app", "myapp", "version", version)).endMetadata()
          .withNewSpec().addNewContainer().withName("app").withImage("example/app:1").endContainer().endSpec()
          .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
          .build()).create();
    }
  }

  private static io.fabric8.kubernetes.api.model.Service service(String name, String version) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withSelector(Map.of("app", "myapp", "version", version)).withType("ClusterIP")
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
  }

  /** A Service for an environment and an EndpointSlice of it with two ready endpoints. */
  private void environmentService(String name, String version) {
    client.services().inNamespace(NS).resource(service(name, version)).create();
    EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-slice").withNamespace(NS)
        .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4");
    for (int i = 0; i < 2; i++) {
      slice.addNewEndpoint().withAddresses("10.0." + version.length() + "." + (i + 1))
          .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions().endEndpoint();
    }
    slice.addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
    client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice.build()).create();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
