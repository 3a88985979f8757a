package io.bluegreen.k8s;

import static io.bluegreen.k8s.support.Fixtures.BLUE;
import static io.bluegreen.k8s.support.Fixtures.GREEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.k8s.support.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names and labels are checked against Kubernetes syntax by the builders, before any request: nothing
 * a caller passes can reach a request path, a label selector or a written object unless it is a
 * well-formed name (no way to inject a second selector term, a path segment or a patch).
 */
class ConfigurationValidationTest {

  private static MockCluster cluster;
  private static KubernetesClient client;
  private int requestsBefore;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @org.junit.jupiter.api.BeforeEach
  void mark() {
    requestsBefore = cluster.requestCount();
  }

  @AfterEach
  void noRequestWasMade() {
    assertThat(cluster.requestCount()).as("builders must not call the API server").isEqualTo(requestsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "green,app=evil", "green app", "-green", "green-", "a/b", "x\ny",
      "0123456789012345678901234567890123456789012345678901234567890123"})
  void labelValuesAreChecked(String value) {
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).environment(GREEN, value))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("label value of environment green")
        .hasMessageContaining("is not a valid Kubernetes label value: use 1-63 letters, digits, '-', '_' or '.'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v2.0.1", "2.0.0-rc.1", "Green_2", "x"})
  void validLabelValuesPass(String value) {
    assertThatCode(() -> ServiceSelectorRouter.builder(client).environment(GREEN, value)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "version=", "ver sion", "/version", "Example.com/version", "a/b/c", "example.com/", "-version",
      "x,app"})
  void labelKeysAreChecked(String key) {
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).selectorKey(key))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("is not a valid Kubernetes label key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"version", "app.kubernetes.io/version", "example.com/Track_1", "a"})
  void validLabelKeysPass(String key) {
    assertThatCode(() -> ServiceSelectorRouter.builder(client).selectorKey(key)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"App-Service", "-app", "app_service", "app.service", "app/../x", "app-", ""})
  void serviceNamesAreChecked(String name) {
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).service(name))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes Service name");
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).service(GREEN, name))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes Service name");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).service(GREEN, name))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes Service name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Default", "kube_system", "a.b", "../etc", "", "-ns"})
  void namespacesAreChecked(String ns) {
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).namespace(ns))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes namespace name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Shop", "shop/x", "shop..a", ".shop", "shop?watch=true"})
  void objectNamesAreChecked(String name) {
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).ingress(name))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes object name");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).httpRoute(name))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Kubernetes object name");
  }

  @Test
  void ingressHostsAndPathsAreChecked() {
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).path("Shop.Example.com", "/"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Ingress host");
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).path("shop.example.com", "api"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Ingress path");
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).path(null, "/a b"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is not a valid Ingress path");
    assertThatCode(() -> IngressBackendRouter.builder(client).path("*.example.com", "/api/v1").path(null, "/")).doesNotThrowAnyException();
  }

  @Test
  void mappingsMustBeCompleteAndUnambiguous() {
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).service("app").environment(BLUE).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("map at least two");
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).service("app").environment(BLUE, "v1").environment(GREEN, "v1").build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("both map to version=v1");
    assertThatThrownBy(() -> ServiceSelectorRouter.builder(client).environments(BLUE, GREEN).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("service is not set");
    assertThatThrownBy(() -> IngressBackendRouter.builder(client).service(BLUE, "app").service(GREEN, "app"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("mapped to two environments");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).service(BLUE, "app-blue").service(BLUE, "app-green"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("mapped twice");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).service(BLUE, "app-blue", 0))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("use 1..65535");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).rule("App Rule"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("HTTPRoute rule");
    assertThatThrownBy(() -> HttpRouteRouter.builder(client).service(BLUE, "a").service(GREEN, "b").build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("httpRoute is not set");
  }

  @Test
  void describingARouterMakesNoRequest() {
    ServiceSelectorRouter r = ServiceSelectorRouter.builder(client).service("app").environments(BLUE, GREEN, Environment.of("red")).build();
    assertThat(r.routeId()).isEqualTo("k8s/service/default/app");
    assertThat(r.environments()).containsExactly(BLUE, GREEN, Environment.of("red"));
    assertThat(r.capabilities().isWeighted()).isFalse();
    assertThat(HttpRouteRouter.builder(client).httpRoute("app").service(BLUE, "a").service(GREEN, "b").build().capabilities().isWeighted())
        .isTrue();
    assertThat(r.labelValueOf(GREEN)).isEqualTo("green");
  }
}
