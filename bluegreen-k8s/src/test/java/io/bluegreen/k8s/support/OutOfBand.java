package io.bluegreen.k8s.support;

import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.RouterContractTest.OutOfBandWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Another writer on the standard scenes of {@link Fixtures}: changes the Service, Ingress or
 * HTTPRoute with the fabric8 client directly (a get and an update, as {@code kubectl edit} does), and
 * describes each object without what its router manages, for the contract kit.
 */
public final class OutOfBand {
  private OutOfBand() {
  }

  /** @return a writer that sets the selector's version to the environment's name (or to red) */
  public static OutOfBandWriter serviceSelector(MockCluster cluster) {
    return writer(split -> editService(cluster, split.soleTarget().orElseThrow().name()), () -> {
      editService(cluster, "red");
      return "version=red";
    });
  }

  /** @return the Service without its version selector value */
  public static Supplier<String> serviceWithoutSelectorValue(MockCluster cluster) {
    return () -> describe(cluster.client(), cluster.getService(Fixtures.SERVICE), s -> s.getSpec().getSelector().remove("version"));
  }

  private static void editService(MockCluster cluster, String version) {
    Service s = cluster.getService(Fixtures.SERVICE);
    s.getSpec().getSelector().put("version", version);
    cluster.client().services().inNamespace(MockCluster.NS).resource(s).update();
  }

  /** @return a writer that points the Ingress's / and /api paths at app-blue or app-green (or app-red) */
  public static OutOfBandWriter ingress(MockCluster cluster) {
    return writer(split -> editIngress(cluster, "app-" + split.soleTarget().orElseThrow().name()), () -> {
      editIngress(cluster, "app-red");
      return "app-red";
    });
  }

  /** @return the Ingress without the Service names of its / and /api paths */
  public static Supplier<String> ingressWithoutManagedBackends(MockCluster cluster) {
    return () -> describe(cluster.client(), cluster.getIngress(Fixtures.INGRESS), i -> managedPaths(i).forEach(p -> p.getBackend().getService()
        .setName(null)));
  }

  private static void editIngress(MockCluster cluster, String service) {
    Ingress ingress = cluster.getIngress(Fixtures.INGRESS);
    managedPaths(ingress).forEach(p -> p.getBackend().getService().setName(service));
    cluster.client().network().v1().ingresses().inNamespace(MockCluster.NS).resource(ingress).update();
  }

  private static List<HTTPIngressPath> managedPaths(Ingress ingress) {
    return ingress.getSpec().getRules().stream().map(IngressRule::getHttp).flatMap(h -> h.getPaths().stream())
        .filter(p -> !"/static".equals(p.getPath())).toList();
  }

  /** @return a writer that sets the weights of rule "app" (or moves them all to app-red) */
  public static OutOfBandWriter httpRoute(MockCluster cluster) {
    return writer(split -> editRoute(cluster, split.weightOf(Fixtures.BLUE), split.weightOf(Fixtures.GREEN), 0), () -> {
      editRoute(cluster, 0, 0, 100);
      return "app-red=100";
    });
  }

  /** @return the HTTPRoute without the weights of app-blue and app-green in rule "app" */
  public static Supplier<String> httpRouteWithoutWeights(MockCluster cluster) {
    return () -> describe(cluster.client(), cluster.getHttpRoute(Fixtures.ROUTE), r -> appRule(r).getBackendRefs().stream()
        .filter(ref -> ref.getName().equals("app-blue") || ref.getName().equals("app-green")).forEach(ref -> ref.setWeight(null)));
  }

  private static void editRoute(MockCluster cluster, int blue, int green, int red) {
    HTTPRoute route = cluster.getHttpRoute(Fixtures.ROUTE);
    List<HTTPBackendRef> refs = appRule(route).getBackendRefs();
    refs.removeIf(ref -> ref.getName().equals("app-red"));
    for (HTTPBackendRef ref : refs) {
      if (ref.getName().equals("app-blue")) {
        ref.setWeight(blue);
      } else if (ref.getName().equals("app-green")) {
        ref.setWeight(green);
      }
    }
    if (red > 0) {
      refs.add(new HTTPBackendRefBuilder().withName("app-red").withPort(80).withWeight(red).build());
    }
    cluster.client().resources(HTTPRoute.class).inNamespace(MockCluster.NS).resource(route).update();
  }

  private static HTTPRouteRule appRule(HTTPRoute route) {
    return route.getSpec().getRules().stream().filter(r -> "app".equals(r.getName())).findFirst().orElseThrow();
  }

  /** The object as YAML, without what {@code strip} removes and without the fields every update changes. */
  private static <T extends HasMetadata> String describe(KubernetesClient client, T object, Consumer<T> strip) {
    T copy = client.getKubernetesSerialization().clone(object);
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().setGeneration(null);
    copy.getMetadata().setManagedFields(null);
    strip.accept(copy);
    return client.getKubernetesSerialization().asYaml(copy);
  }

  private interface SplitWrite {
    void write(TrafficSplit split);
  }

  private static OutOfBandWriter writer(SplitWrite write, Supplier<String> unmapped) {
    return new OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        write.write(split);
      }

      @Override
      public String writeUnmapped() {
        return unmapped.get();
      }
    };
  }
}
