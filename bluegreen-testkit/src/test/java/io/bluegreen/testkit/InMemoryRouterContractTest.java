package io.bluegreen.testkit;

import io.bluegreen.core.Environment;

/** The reference implementation passes its own kit, weighted... */
class InMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return fixture(InMemoryRouter.builder().routeId("memory/weighted").environments(Environment.of("blue"), Environment.of("green")).build());
  }

  /** A fixture whose second writer changes the in-memory backend directly. */
  static RouterFixture fixture(InMemoryRouter router) {
    return RouterFixture.of(router, router.environments().get(0), router.environments().get(1), router::requestCount,
        router::writeCount, () -> { })
        .withOutOfBand(new OutOfBandWriter() {
          @Override
          public void write(io.bluegreen.core.TrafficSplit split) {
            router.changeExternally(split);
          }

          @Override
          public String writeUnmapped() {
            router.changeExternallyToUnmapped("backend red=100");
            return "red";
          }
        });
  }
}
