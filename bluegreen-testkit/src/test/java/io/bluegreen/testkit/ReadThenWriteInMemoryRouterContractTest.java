package io.bluegreen.testkit;

import io.bluegreen.core.Environment;
import io.bluegreen.core.WriteGuard;

/** ...and with an ELBv2-like guarded write (a read, then the write, answered with the stored state). */
class ReadThenWriteInMemoryRouterContractTest extends RouterContractTest {
  @Override
  protected RouterFixture createFixture() {
    return InMemoryRouterContractTest.fixture(InMemoryRouter.builder().routeId("memory/read-then-write")
        .environments(Environment.of("blue"), Environment.of("green")).writeGuard(WriteGuard.READ_THEN_WRITE).build());
  }
}
