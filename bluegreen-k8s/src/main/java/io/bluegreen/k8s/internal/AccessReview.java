package io.bluegreen.k8s.internal;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Asks the API server, read-only, whether the client's own identity may make a write it will need
 * later (a SelfSubjectAccessReview, which every authenticated identity may create through the
 * built-in {@code system:basic-user} ClusterRole, so it needs no rule in the documented Roles). Reads
 * need no such check: they come first and a refused read already names its permission. A write
 * refused only when it is attempted would come after the plan started moving traffic; asking first
 * turns a missing {@code update} into an abort before any write.
 *
 * <p>When the review itself cannot be made (refused, not served, no answer) the check says nothing
 * and the write will tell: the review is a courtesy, the API server's RBAC is the authority.
 */
public final class AccessReview {


  private AccessReview() {
  }

  /**
   * @param client the client whose identity is asked about
   * @param op the operation
   * @param namespace where
   * @param name the object's name, or null for any
   * @param log the caller's logger (a public, documented category such as the router's class)
   * @return why {@code op} is denied, naming the permission to grant; empty if allowed or unknown
   */
  public static Optional<String> denied(KubernetesClient client, KubeCalls.Op op, String namespace, String name, Logger log) {
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
        .withResourceAttributes(new ResourceAttributesBuilder().withNamespace(namespace).withGroup(op.apiGroup())
            .withResource(op.resource()).withVerb(op.verb()).withName(name).build())
        .endSpec().build();
    SubjectAccessReviewStatus status;
    try {
      SelfSubjectAccessReview answered = client.authorization().v1().selfSubjectAccessReview().create(review);
      status = answered == null ? null : answered.getStatus();
    } catch (KubernetesClientException e) {
      log.debug("could not ask whether {} is allowed in namespace {} (HTTP {}): the write will tell", op.rbac(), namespace, e.getCode());
      return Optional.empty();
    }
    if (status == null || status.getAllowed() == null || status.getAllowed()) {
      return Optional.empty();
    }
    String reason = status.getReason() == null || status.getReason().isBlank() ? "" : " (" + status.getReason() + ")";
    return Optional.of("the client's identity may not " + op.verb() + " " + op.resource() + " in namespace " + namespace
        + " (the API server answered a SelfSubjectAccessReview with allowed=false" + reason + "): grant it " + op.rbac()
        + " in a Role bound to it in that namespace (see the Role rules in the bluegreen-k8s README)");
  }
}
