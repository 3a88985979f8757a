package io.bluegreen.k8s.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.MockServerExpectation;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * fabric8's kubernetes-server-mock in CRUD mode on 127.0.0.1, recording every request it receives
 * (method and path) so that tests can count writes and check RBAC. Expectations added with
 * {@link #expect()} are served first (once, if so declared), then the CRUD store answers.
 */
public final class MockCluster implements AutoCloseable {

  public static final String NS = "default";
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

  /** The header a client puts on the requests a fault-matrix cell targets ({@link #markingClient}). */
  public static final String FAULT_HEADER = "x-bluegreen-fault";

  /** One request the server received (the body is "" when there was none); {@code marked} when it carried {@link #FAULT_HEADER}. */
  public record Request(String method, String path, String body, boolean marked) {
    public Request(String method, String path, String body) {
      this(method, path, body, false);
    }

    public Request(String method, String path) {
      this(method, path, "");
    }

    /** @return whether it changes state (a SelfSubjectAccessReview is a POST that stores nothing) */
    public boolean isWrite() {
      return WRITES.contains(method) && !isAccessReview();
    }

    /** @return whether it is a SelfSubjectAccessReview (a read-only question, though a POST) */
    public boolean isAccessReview() {
      return resourcePath().equals(ACCESS_REVIEWS);
    }

    /** @return path without the query */
    public String resourcePath() {
      int q = path.indexOf('?');
      return q < 0 ? path : path.substring(0, q);
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** Answers some requests instead of the store (fault injection); sees every request the server receives. */
  @FunctionalInterface
  public interface Interceptor {
    /**
     * @param request the request as recorded
     * @param store lets the store handle the request (it changes the store) and returns its response, e.g. to serve it late
     * @return the response to serve instead of the store's, or null to let the store answer
     */
    MockResponse intercept(Request request, Supplier<MockResponse> store);
  }

  private final KubernetesMockServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Interceptor interceptor;
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final KubernetesClient client;

  private MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher mixed = new KubernetesMixedDispatcher(responses);
    Dispatcher recording = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Request recorded = new Request(request.getMethod(), request.getPath(), bodyOf(request), request.getHeader(FAULT_HEADER) != null);
        requests.add(recorded);
        if (recorded.isAccessReview() && recorded.method().equals("POST")) {
          return allowed(recorded);
        }
        Interceptor i = interceptor;
        MockResponse injected = i == null ? null : i.intercept(recorded, () -> mixed.dispatch(request));
        return injected != null ? injected : mixed.dispatch(request);
      }

      @Override
      public void shutdown() {
        mixed.shutdown();
      }
    };
    ObjectMapper mapper = new ObjectMapper();
    new KubernetesSerialization(mapper, true); // configures the mapper the way fabric8 serializes its models
    server = new KubernetesMockServer(new Context(mapper), new MockWebServer(), responses, recording, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    client = newClient();
  }

  /** The CRUD store would echo a review without an answer: answer it as a server where every identity has every permission. */
  private static MockResponse allowed(Request request) {
    KubernetesSerialization json = new KubernetesSerialization();
    SelfSubjectAccessReview review = json.unmarshal(request.body(), SelfSubjectAccessReview.class);
    review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(true).build());
    return new MockResponse().setResponseCode(201).addHeader("Content-Type", "application/json").setBody(json.asJson(review));
  }

  private static String bodyOf(RecordedRequest request) {
    Buffer body = request.getBody();
    if (body == null || body.getBytes() == null || body.size() == 0) {
      return "";
    }
    return new String(body.getBytes(), StandardCharsets.UTF_8);
  }

  /** @return a started cluster */
  public static MockCluster start() {
    return new MockCluster();
  }

  /** @return the shared client (fabric8's own retries off, so faults reach the routers) */
  public KubernetesClient client() {
    return client;
  }

  /** @return another client, as a second machine would have; closed with the cluster */
  public KubernetesClient newClient() {
    return newClient(url(), b -> { });
  }

  /**
   * @param masterUrl where the client sends its requests (the server's {@link #url()}, or a proxy in front of it)
   * @param tweak changes to the default configuration (fabric8's own retries off, 5 s connect, 10 s request timeout)
   * @return another client; closed with the cluster
   */
  public KubernetesClient newClient(String masterUrl, Consumer<ConfigBuilder> tweak) {
    ConfigBuilder builder = new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl)
        .withNamespace(NS)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000);
    tweak.accept(builder);
    Config config = builder.build();
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /**
   * A client that marks the requests a cell targets with {@link #FAULT_HEADER} and gives only those a short
   * timeout: a reply the server sends late to marked requests times out by design, while every other
   * request keeps {@code timeoutMillis}, which no loaded machine comes near.
   *
   * @param timeoutMillis every unmarked request's timeout
   * @param target the requests to mark (method, path, body as the client sends them)
   * @param shortTimeoutMillis the marked requests' timeout
   * @return another client; closed with the cluster
   */
  public KubernetesClient markingClient(int timeoutMillis, Predicate<Request> target, int shortTimeoutMillis) {
    io.fabric8.kubernetes.client.http.Interceptor marker = new io.fabric8.kubernetes.client.http.Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String body = request.bodyString();
        if (target.test(new Request(request.method(), request.uri().getRawPath(), body == null ? "" : body))) {
          builder.header(FAULT_HEADER, "1");
          ((HttpRequest.Builder) builder).timeout(shortTimeoutMillis, TimeUnit.MILLISECONDS);
        }
      }
    };
    ConfigBuilder config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace(NS).withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(5_000).withRequestTimeout(timeoutMillis);
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config.build())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("bluegreen-fault", marker)).build();
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  /** @return the server's base URL, e.g. http://127.0.0.1:41234 */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** @param interceptor answers requests before the store (null: none) */
  public void intercept(Interceptor interceptor) {
    this.interceptor = interceptor;
  }

  /** @return the mock server's expectation DSL (for fault injection) */
  public MockServerExpectation expect() {
    return server.expect();
  }

  /** @return every request so far */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** @return how many requests so far */
  public int requestCount() {
    return requests.size();
  }

  /** @return the requests after the first {@code from} */
  public List<Request> requestsSince(int from) {
    List<Request> all = requests();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  /** @return the writes (POST, PUT, PATCH, DELETE) among {@code list} */
  public static List<Request> writes(List<Request> list) {
    return list.stream().filter(Request::isWrite).toList();
  }

  /** @return how many writes so far */
  public long writeCount() {
    return requests.stream().filter(Request::isWrite).count();
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(KubernetesClient::close);
    }
    server.destroy();
  }

  // ------------------------------------------------------------------------ seeding

  public Service service(String name, Map<String, String> selector) {
    return client.services().inNamespace(NS).resource(SceneObjects.service(NS, name, selector)).create();
  }

  public Service getService(String name) {
    return client.services().inNamespace(NS).withName(name).get();
  }

  /** Creates {@code count} Pods with {@code labels}, Ready or not. */
  public void pods(String prefix, Map<String, String> labels, int count, boolean ready) {
    for (int i = 0; i < count; i++) {
      client.pods().inNamespace(NS).resource(SceneObjects.pod(NS, prefix + "-" + i, labels, ready)).create();
    }
  }

  /** Creates an EndpointSlice for {@code service} with {@code ready} ready and {@code notReady} unready endpoints. */
  public void endpointSlice(String service, int ready, int notReady) {
    client.discovery().v1().endpointSlices().inNamespace(NS)
        .resource(SceneObjects.endpointSlice(NS, service + "-slice-" + requests.size(), service, ready, notReady)).create();
  }

  /** A Service for an environment, with {@code ready} ready endpoints in one EndpointSlice. */
  public void environmentService(String name, String version, int ready) {
    service(name, Map.of("app", "myapp", "version", version));
    endpointSlice(name, ready, 0);
  }

  public Ingress ingress(String name, String backendService) {
    return client.network().v1().ingresses().inNamespace(NS).resource(SceneObjects.ingress(NS, name, backendService)).create();
  }

  public Ingress getIngress(String name) {
    return client.network().v1().ingresses().inNamespace(NS).withName(name).get();
  }

  /** An HTTPRoute with a managed rule (blue 100, green 0) and an unrelated rule to a docs Service. */
  public HTTPRoute httpRoute(String name, String blueService, int blueWeight, String greenService, int greenWeight) {
    return client.resources(HTTPRoute.class).inNamespace(NS)
        .resource(SceneObjects.httpRoute(NS, name, blueService, blueWeight, greenService, greenWeight)).create();
  }

  public HTTPRoute getHttpRoute(String name) {
    return client.resources(HTTPRoute.class).inNamespace(NS).withName(name).get();
  }
}
