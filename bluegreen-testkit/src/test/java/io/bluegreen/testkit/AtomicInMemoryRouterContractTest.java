package io.bluegreen.testkit;

import io.bluegreen.core.Environment;

/** ...and atomic-only. */
class AtomicInMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    InMemoryRouter router = InMemoryRouter.builder().routeId("memory/atomic").environments(blue, green).atomicOnly().build();
    return RouterFixture.of(router, blue, green, router::requestCount, router::writeCount, () -> { });
  }
}
