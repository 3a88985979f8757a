package io.bluegreen.examples.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the Kubernetes examples: which cluster to talk to.
 *
 * <pre>{@code
 * (no arguments)             an in-process mock API server, seeded by InProcessCluster
 * --real                     the cluster of your current kubeconfig context (KUBECONFIG, ~/.kube/config, or in-cluster)
 * --kubeconfig PATH          the current context of that kubeconfig file
 * --namespace NS             where app-service / the HTTPRoute live on a real cluster (default: the context's, else "shop")
 *
 * ClusterArgs cluster = ClusterArgs.parse(args);
 * try (KubernetesClient client = cluster.connect()) { ... }
 * }</pre>
 */
public final class ClusterArgs {

  private final boolean real;
  private final String kubeconfig;
  private final String namespace;

  private ClusterArgs(boolean real, String kubeconfig, String namespace) {
    this.real = real;
    this.kubeconfig = kubeconfig;
    this.namespace = namespace;
  }

  /**
   * @param args the command line
   * @return the choice
   * @throws IllegalArgumentException for an unknown option or a missing value
   */
  public static ClusterArgs parse(String... args) {
    boolean real = false;
    String kubeconfig = null;
    String namespace = null;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      switch (flag) {
        case "--real" -> real = true;
        case "--kubeconfig" -> {
          kubeconfig = value(rest, flag);
          real = true;
        }
        case "--namespace" -> namespace = value(rest, flag);
        default -> throw new IllegalArgumentException("unknown option " + flag
            + ": use --real, --kubeconfig PATH and --namespace NS, or nothing for the in-process API server");
      }
    }
    return new ClusterArgs(real, kubeconfig, namespace);
  }

  private static String value(List<String> rest, String flag) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return rest.remove(0);
  }

  /** @return whether a real cluster was asked for */
  public boolean isReal() {
    return real;
  }

  /**
   * @return a client of the real cluster (yours to close)
   * @throws IllegalStateException if called for the in-process server
   */
  public KubernetesClient connect() {
    if (!real) {
      throw new IllegalStateException("no real cluster was asked for: pass --real or --kubeconfig PATH");
    }
    return kubeconfig == null ? new KubernetesClientBuilder().build()
        : new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(new File(kubeconfig))).build();
  }

  /**
   * @param client the connected client
   * @return the namespace to use: --namespace, else the client's, else {@value InProcessCluster#NAMESPACE}
   */
  public String namespace(KubernetesClient client) {
    if (namespace != null) {
      return namespace;
    }
    return client.getNamespace() != null ? client.getNamespace() : InProcessCluster.NAMESPACE;
  }
}
