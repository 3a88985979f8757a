package io.bluegreen.k8s.support;

import io.bluegreen.core.Router;
import io.bluegreen.testkit.RouterContractTest.OutOfBandWriter;
import io.bluegreen.testkit.RouterContractTest.RouterFixture;
import java.util.function.Function;
import java.util.function.Supplier;

/** A {@link RouterFixture} over a fresh {@link MockCluster}, counting only requests made after the scene was set up. */
public final class ClusterFixture {
  private ClusterFixture() {
  }

  public static RouterFixture of(Function<MockCluster, Router> scene) {
    return of(scene, null, null);
  }

  /**
   * @param scene sets up the objects and builds the router
   * @param outOfBand another writer on the cluster (null: none)
   * @param everythingButWeights describes the route without what the router manages (null: none)
   * @return the fixture
   */
  public static RouterFixture of(Function<MockCluster, Router> scene, Function<MockCluster, OutOfBandWriter> outOfBand,
      Function<MockCluster, Supplier<String>> everythingButWeights) {
    MockCluster cluster = MockCluster.start();
    try {
      Router router = scene.apply(cluster);
      int mark = cluster.requestCount();
      RouterFixture fixture = RouterFixture.of(router, Fixtures.BLUE, Fixtures.GREEN,
          () -> cluster.requestCount() - mark,
          () -> MockCluster.writes(cluster.requestsSince(mark)).size(),
          cluster);
      if (outOfBand != null) {
        fixture = fixture.withOutOfBand(outOfBand.apply(cluster));
      }
      if (everythingButWeights != null) {
        fixture = fixture.withEverythingButWeights(everythingButWeights.apply(cluster));
      }
      return fixture;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }
}
