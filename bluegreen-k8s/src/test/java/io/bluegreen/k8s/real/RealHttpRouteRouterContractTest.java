package io.bluegreen.k8s.real;

import io.bluegreen.testkit.RouterContractTest;

/**
 * {@link io.bluegreen.k8s.HttpRouteRouter} passes the router TCK on a real kube-apiserver (see
 * {@link RealRouterFixture}): the router runs as a user bound only to the README's Role, and the kit's
 * request and write counts come from the server's audit log.
 */
class RealHttpRouteRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return RealRouterFixture.httpRoute();
  }
}
