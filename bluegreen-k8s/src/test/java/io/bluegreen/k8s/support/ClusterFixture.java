package io.bluegreen.k8s.support;

import io.bluegreen.core.Router;
import io.bluegreen.testkit.RouterContractTest.RouterFixture;
import java.util.function.Function;

/** A {@link RouterFixture} over a fresh {@link MockCluster}, counting only requests made after the scene was set up. */
public final class ClusterFixture {
  private ClusterFixture() {
  }

  public static RouterFixture of(Function<MockCluster, Router> scene) {
    MockCluster cluster = MockCluster.start();
    try {
      Router router = scene.apply(cluster);
      int mark = cluster.requestCount();
      return RouterFixture.of(router, Fixtures.BLUE, Fixtures.GREEN,
          () -> cluster.requestCount() - mark,
          () -> MockCluster.writes(cluster.requestsSince(mark)).size(),
          cluster);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }
}
