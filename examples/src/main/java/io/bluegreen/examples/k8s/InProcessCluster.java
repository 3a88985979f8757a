package io.bluegreen.examples.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API server in this JVM: fabric8's {@code kubernetes-server-mock} in CRUD mode on
 * 127.0.0.1 (it stores what it is sent and answers reads from that, with resourceVersions; no
 * controllers run), seeded with what the examples switch in namespace {@value #NAMESPACE}:
 *
 * <ul>
 *   <li>Deployments {@code app-blue} and {@code app-green}, rolled out with {@value #REPLICAS} ready
 *       replicas each, and their Pods ({@code app=shop, tier=web, version=blue|green}, Ready);</li>
 *   <li>Service {@code app-service} selecting {@code app=shop, tier=web, version=blue};</li>
 *   <li>Services {@code app-blue} and {@code app-green}, each with an EndpointSlice of ready endpoints;</li>
 *   <li>Gateway API HTTPRoute {@code app}: {@code app-blue} weight 100, {@code app-green} weight 0.</li>
 * </ul>
 *
 * <pre>{@code
 * try (InProcessCluster cluster = InProcessCluster.start()) {
 *   SwitchResult result = ServiceSelectorExample.run(cluster.client(), InProcessCluster.NAMESPACE, VirtualClock.create(), System.out);
 *   cluster.client().services().inNamespace("shop").withName("app-service").get().getSpec().getSelector(); // version=green
 * }
 * }</pre>
 */
public final class InProcessCluster implements AutoCloseable {

  /** The namespace everything lives in. */
  public static final String NAMESPACE = "shop";
  /** Ready replicas (and endpoints) of each environment. */
  public static final int REPLICAS = 3;

  /** The mock server logs every request at INFO through java.util.logging; held here so the level sticks. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private InProcessCluster() {
    MOCK_LOG.setLevel(Level.WARNING);
    ObjectMapper mapper = new ObjectMapper();
    new KubernetesSerialization(mapper, true); // the mock stores objects the way fabric8 serializes them
    server = new KubernetesMockServer(new Context(mapper), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + server.getPort())
        .withNamespace(NAMESPACE)
        .withRequestRetryBackoffLimit(0) // the plan retries; keep fabric8's own retries out of the way
        .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  /** @return a started, seeded API server */
  public static InProcessCluster start() {
    InProcessCluster cluster = new InProcessCluster();
    try {
      cluster.seed();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** @return a client of this API server (closed with it) */
  public KubernetesClient client() {
    return client;
  }

  /** @return where the API server listens, e.g. {@code http://127.0.0.1:41234} */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  private void seed() {
    for (String version : new String[] {"blue", "green"}) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("app", "shop");
      labels.put("tier", "web");
      labels.put("version", version);
      deployment("app-" + version, labels);
      for (int i = 0; i < REPLICAS; i++) {
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
            .withNewMetadata().withName("app-" + version + "-" + i).withLabels(labels).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("example/shop:" + version).endContainer().endSpec()
            .withNewStatus().withPhase("Running").withPodIP("10.0." + ("blue".equals(version) ? 1 : 2) + "." + (10 + i))
            .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
            .build()).create();
      }
      service("app-" + version, labels);
      EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName("app-" + version + "-x1")
          .addToLabels("kubernetes.io/service-name", "app-" + version).endMetadata().withAddressType("IPv4")
          .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
      for (int i = 0; i < REPLICAS; i++) {
        slice.addNewEndpoint().withAddresses("10.0." + ("blue".equals(version) ? 1 : 2) + "." + (10 + i))
            .withNewTargetRef().withKind("Pod").withName("app-" + version + "-" + i).withNamespace(NAMESPACE).endTargetRef()
            .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions().endEndpoint();
      }
      client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(slice.build()).create();
    }
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put("app", "shop");
    selector.put("tier", "web");
    selector.put("version", "blue");
    service("app-service", selector);
    client.resources(HTTPRoute.class).inNamespace(NAMESPACE).resource(new HTTPRouteBuilder()
        .withNewMetadata().withName("app").endMetadata()
        .withNewSpec()
        .addNewParentRef().withName("shop-gateway").endParentRef()
        .withHostnames("shop.example.com")
        .addNewRule().withName("app")
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/").endPath().endMatch()
        .addNewBackendRef().withName("app-blue").withPort(80).withWeight(100).endBackendRef()
        .addNewBackendRef().withName("app-green").withPort(80).withWeight(0).endBackendRef()
        .endRule()
        .endSpec().build()).create();
  }

  private void deployment(String name, Map<String, String> labels) {
    Deployment created = client.apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withReplicas(REPLICAS).withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("example/shop:" + labels.get("version")).endContainer().endSpec()
        .endTemplate().endSpec()
        .build()).create();
    // no controller runs here: report the rollout as a Deployment controller would once it is complete
    long generation = created.getMetadata().getGeneration() == null ? 1L : created.getMetadata().getGeneration();
    created.setStatus(new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(REPLICAS)
        .withUpdatedReplicas(REPLICAS).withReadyReplicas(REPLICAS).withAvailableReplicas(REPLICAS).build());
    client.apps().deployments().inNamespace(NAMESPACE).resource(created).updateStatus();
  }

  private void service(String name, Map<String, String> selector) {
    client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
        .withNewMetadata().withName(name).addToLabels("app", "shop").endMetadata()
        .withNewSpec().withSelector(new LinkedHashMap<>(selector)).withType("ClusterIP")
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec()
        .build()).create();
  }

  /** Stops the API server and closes its client. */
  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  @Override
  public String toString() {
    return "in-process Kubernetes API at " + url();
  }
}
