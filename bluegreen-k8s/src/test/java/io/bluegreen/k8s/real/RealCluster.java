package io.bluegreen.k8s.real;

import io.bluegreen.testkit.ExternalPeer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real kube-apiserver + etcd that {@code scripts/test.sh} builds from Go modules, starts on
 * 127.0.0.1 and passes as {@code BLUEGREEN_KUBECONFIG} (scripts/kube/start.sh): one server per Maven
 * run, shared by every real-server test of the JVM, each test in a fresh namespace.
 *
 * <p>Clients are fabric8's ordinary client built from that kubeconfig: context {@code admin}
 * (system:masters) sets scenes and plays the missing controllers; contexts {@code user-1..user-4} are
 * users with no permission until a test binds a Role to them in its namespace ({@link #bind}).
 * fabric8's own retries are off ({@code requestRetryBackoffLimit(0)}) so that every retry is the plan's.
 *
 * <p>There is no kube-controller-manager, scheduler or kubelet: tests write what they would (a Pod's
 * Ready condition and a Deployment's status through the status subresource, the EndpointSlices a
 * Service would get), and every fresh namespace gets the {@code default} ServiceAccount the
 * ServiceAccount admission plugin requires for Pods. A deleted namespace stays Terminating (no
 * namespace controller), which the cleanup tolerates: it asks for the deletion and moves on.
 *
 * <p>Without {@code BLUEGREEN_KUBECONFIG}: fails on CI ({@code CI=true}), skips loudly elsewhere.
 */
public final class RealCluster {

  private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
  public static final String VARIABLE = "BLUEGREEN_KUBECONFIG";
  public static final List<String> USERS = List.of("user-1", "user-2", "user-3", "user-4");
  private static RealCluster instance;

  private final File kubeconfig;
  private final KubernetesClient admin;
  private final AuditLog audit;
  private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

  private RealCluster(File kubeconfig) {
    this.kubeconfig = kubeconfig;
    this.admin = newClient("admin", b -> { });
    Path log = kubeconfig.toPath().resolveSibling("audit.log");
    if (!Files.isRegularFile(log)) {
      throw new IllegalStateException("no audit log next to " + kubeconfig + ": start the server with scripts/kube/start.sh");
    }
    this.audit = new AuditLog(log, admin);
    LOG.info("real kube-apiserver {} at {}", admin.getKubernetesVersion().getGitVersion(), admin.getMasterUrl());
  }

  /**
   * @return the cluster of this JVM (connected on first use)
   * @throws org.opentest4j.TestAbortedException without BLUEGREEN_KUBECONFIG, unless CI=true (then an AssertionError)
   */
  public static synchronized RealCluster get() {
    if (instance == null) {
      String path = ExternalPeer.require(VARIABLE, "a real kube-apiserver",
          "Run ./scripts/test.sh (it builds kube-apiserver + etcd from Go modules once into ~/.cache/bluegreen-kube and starts"
              + " them), or: scripts/kube/build.sh && export BLUEGREEN_KUBECONFIG=$(scripts/kube/start.sh)").getPath();
      File file = new File(path);
      if (!file.isFile()) {
        throw new AssertionError(VARIABLE + "=" + path + " is not a file: start the server with scripts/kube/start.sh");
      }
      instance = new RealCluster(file);
    }
    return instance;
  }

  /** @return the system:masters client (scene setting, the controllers' parts, out-of-band writes) */
  public KubernetesClient admin() {
    return admin;
  }

  /** @return the audit log */
  public AuditLog audit() {
    return audit;
  }

  /** @return the server's URL, https://127.0.0.1:port */
  public String url() {
    return admin.getMasterUrl().toString().replaceAll("/$", "");
  }

  /** @return TLS sockets to the server, trusting the CA of the kubeconfig (for a proxy in front of it) */
  public SSLSocketFactory tls() {
    try {
      byte[] pem = Base64.getDecoder().decode(Config.fromKubeconfig("admin", kubeconfig).getCaCertData());
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("apiserver", CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem)));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the API server's certificate from " + kubeconfig, e);
    }
  }

  /** @return the kubeconfig file */
  public File kubeconfig() {
    return kubeconfig;
  }

  /** @return the shared client of {@code user} (a context of the kubeconfig: admin or user-1..user-4) */
  public KubernetesClient client(String user) {
    return clients.computeIfAbsent(user, u -> newClient(u, b -> { }));
  }

  /**
   * @param user a context of the kubeconfig
   * @param tweak changes to the configuration read from the kubeconfig (after fabric8's retries are turned off)
   * @return a new client; the caller closes it
   */
  public KubernetesClient newClient(String user, Consumer<ConfigBuilder> tweak) {
    Config fromFile = Config.fromKubeconfig(user, kubeconfig);
    ConfigBuilder b = new ConfigBuilder(fromFile).withRequestRetryBackoffLimit(0).withConnectionTimeout(5_000).withRequestTimeout(10_000);
    tweak.accept(b);
    return new KubernetesClientBuilder().withConfig(b.build()).build();
  }

  /**
   * Creates a fresh namespace with its {@code default} ServiceAccount.
   *
   * @param hint a few lowercase letters naming the test
   * @return the namespace; closing it asks for its deletion (it stays Terminating: no namespace controller)
   */
  public TestNamespace namespace(String hint) {
    String slug = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    slug = slug.length() > 40 ? slug.substring(0, 40).replaceAll("-+$", "") : slug;
    String name = "bg-" + slug + "-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    admin.serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata()
        .build()).create();
    return new TestNamespace(this, name);
  }

  /**
   * Creates {@code role} in {@code namespace}, binds it to {@code user}, and waits (bounded: 10 s) until
   * the server's authorizer grants every verb it lists (RBAC caches bindings: they take effect a moment
   * after they are created).
   *
   * @param namespace the namespace
   * @param role a Role (its namespace is set here)
   * @param user the user to bind it to
   */
  public void bind(String namespace, Role role, String user) {
    Role copy = admin.getKubernetesSerialization().clone(role);
    copy.getMetadata().setNamespace(namespace);
    copy.getMetadata().setResourceVersion(null);
    admin.rbac().roles().inNamespace(namespace).resource(copy).createOr(NonDeletingOperation::update); // bound to two users: once
    admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
        .withNewMetadata().withName(copy.getMetadata().getName() + "-" + user).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(copy.getMetadata().getName()).endRoleRef()
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
        .build()).create();
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (PolicyRule rule : copy.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            while (!allowed(user, namespace, group, resource, verb)) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("RBAC did not grant " + user + " " + verb + " " + resource + " in " + namespace + " within 10 s");
              }
              pause(20);
            }
          }
        }
      }
    }
  }

  /** @return whether the server's authorizer lets {@code user} do {@code verb} on {@code group/resource} in {@code namespace} */
  public boolean allowed(String user, String namespace, String group, String resource, String verb) {
    SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(user)
        .withResourceAttributes(new ResourceAttributesBuilder().withNamespace(namespace).withGroup(group).withResource(resource)
            .withVerb(verb).build())
        .endSpec().build();
    return Boolean.TRUE.equals(admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
  }

  /**
   * A wall-clock wait, for polls bounded by their caller (RBAC's authorizer cache, 10 s): the real
   * kube-apiserver applies new bindings on its own schedule, which no injected clock can move. Plans
   * under test never sleep here; they run on a VirtualClock.
   */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A namespace of one test. */
  public static final class TestNamespace implements AutoCloseable {
    private final RealCluster cluster;
    private final String name;

    TestNamespace(RealCluster cluster, String name) {
      this.cluster = cluster;
      this.name = name;
    }

    /** @return its name */
    public String name() {
      return name;
    }

    /** Asks for the deletion and does not wait: without a namespace controller it stays Terminating. */
    @Override
    public void close() {
      try {
        cluster.admin.namespaces().withName(name).delete();
      } catch (KubernetesClientException e) {
        LOG.warn("could not delete namespace {}: {}", name, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
