package io.bluegreen.k8s.support;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RBAC Roles bluegreen-k8s/README.md documents, one per component, read from its {@code yaml}
 * blocks: the tests run each component under exactly these rules (RbacTest on the mock server,
 * RealRbacTest on a real kube-apiserver), so the README cannot drift from what the code needs.
 */
public final class ReadmeRoles {

  public static final String SERVICE_SELECTOR_ROUTER = "bluegreen-service-selector-router";
  public static final String INGRESS_BACKEND_ROUTER = "bluegreen-ingress-backend-router";
  public static final String HTTPROUTE_ROUTER = "bluegreen-httproute-router";
  public static final String DEPLOYMENT_READY_GATE = "bluegreen-deployment-ready-gate";
  public static final String ENDPOINTS_READY_GATE = "bluegreen-endpoints-ready-gate";
  public static final String LEASE_LOCK = "bluegreen-lease-lock";

  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
  private static Map<String, Role> roles;

  private ReadmeRoles() {
  }

  /** @return the Roles by name, in README order (copies: change them freely) */
  public static synchronized Map<String, Role> read() {
    if (roles == null) {
      Path readme = Path.of(System.getProperty("basedir", ".")).resolve("README.md");
      KubernetesSerialization yaml = new KubernetesSerialization();
      Map<String, Role> found = new LinkedHashMap<>();
      try {
        Matcher m = YAML_BLOCK.matcher(Files.readString(readme));
        while (m.find()) {
          Role role = yaml.unmarshal(m.group(1), Role.class);
          found.put(role.getMetadata().getName(), role);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + readme, e);
      }
      roles = Collections.unmodifiableMap(found);
    }
    KubernetesSerialization json = new KubernetesSerialization();
    Map<String, Role> copies = new LinkedHashMap<>();
    roles.forEach((name, role) -> copies.put(name, json.clone(role)));
    return copies;
  }

  /** @return the Role named {@code name} in the README */
  public static Role role(String name) {
    Role role = read().get(name);
    if (role == null) {
      throw new IllegalArgumentException("README.md has no Role " + name + "; it has " + read().keySet());
    }
    return role;
  }
}
