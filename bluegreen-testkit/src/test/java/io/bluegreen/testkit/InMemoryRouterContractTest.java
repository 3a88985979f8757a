package io.bluegreen.testkit;

import io.bluegreen.core.Environment;

/** The reference implementation passes its own kit, weighted... */
class InMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/weighted").environments(blue, green).build();
    return RouterFixture.of(router, blue, green, router::requestCount, router::writeCount, () -> { });
  }
}
