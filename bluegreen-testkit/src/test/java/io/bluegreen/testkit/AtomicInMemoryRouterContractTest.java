package io.bluegreen.testkit;

import io.bluegreen.core.Environment;

/** ...and atomic-only. */
class AtomicInMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return InMemoryRouterContractTest.fixture(InMemoryRouter.builder().routeId("memory/atomic")
        .environments(Environment.of("blue"), Environment.of("green")).atomicOnly().build());
  }
}
