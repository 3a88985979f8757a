package io.bluegreen.testkit;

import io.bluegreen.core.lock.InProcessRouteLock;

/** {@link InProcessRouteLock} passes the lock kit (its leases never expire: expiry and renewal groups are skipped). */
class InProcessRouteLockContractTest extends RouteLockContractTest {

  @Override
  protected LockFixture createFixture() {
    return LockFixture.builder(new InProcessRouteLock()).build();
  }
}
