package io.bluegreen.testkit;

import io.bluegreen.core.Environment;
import io.bluegreen.core.WriteGuard;

/** ...with a K8s-like conditional write (one request, refused when the route changed)... */
class ConditionalInMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return InMemoryRouterContractTest.fixture(InMemoryRouter.builder().routeId("memory/conditional")
        .environments(Environment.of("blue"), Environment.of("green")).writeGuard(WriteGuard.CONDITIONAL).build());
  }
}
