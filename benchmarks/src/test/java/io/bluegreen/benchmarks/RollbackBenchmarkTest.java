package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.WriteGuard;
import io.bluegreen.testkit.ExternalPeer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rollback harness runs real plans to ROLLED_BACK and counts the backend requests between the
 * UNHEALTHY verdict and the verified rollback: 1 on a CONDITIONAL router (the in-memory one and the
 * Kubernetes routers on the fabric8 mock), 2 on ALB (Describe, Modify). Behaviour only: how fast is
 * what the benchmark prints.
 */
class RollbackBenchmarkTest {

  private static void rolledBackEveryRun(RollbackBenchmark.Figures f, int runs) {
    assertThat(f.outcomes()).as(f.backend()).hasSize(runs).containsOnly(Outcome.ROLLED_BACK);
    assertThat(f.runs()).isEqualTo(runs);
  }

  @Test
  void aConditionalInMemoryRollbackIsOneRequestAndTheEnginePathThree() {
    RollbackBenchmark.Figures conditional = RollbackBenchmark.measure(RollbackBenchmark.memory(Duration.ofMillis(1), WriteGuard.CONDITIONAL),
        3, 1, 2);
    rolledBackEveryRun(conditional, 3);
    assertThat(conditional.requestsMin()).isEqualTo(1);
    assertThat(conditional.requestsMax()).isEqualTo(1);
    RollbackBenchmark.Figures engine = RollbackBenchmark.measure(RollbackBenchmark.memory(Duration.ofMillis(1), WriteGuard.ENGINE), 3, 1, 2);
    rolledBackEveryRun(engine, 3);
    // read (drift check), write, verify
    assertThat(engine.requestsMin()).isEqualTo(3);
    assertThat(engine.requestsMax()).isEqualTo(3);
  }

  @Test
  void aKubernetesRollbackOnTheMockServerIsOneRequestThePut() {
    try (K8sMockScenes k8s = K8sMockScenes.start()) {
      for (RollbackBenchmark.Scene scene : List.of(k8s.service(), k8s.ingress(), k8s.httpRoute())) {
        RollbackBenchmark.Figures f = RollbackBenchmark.measure(scene, 3, 1, 2);
        rolledBackEveryRun(f, 3);
        assertThat(f.requestsMin()).as(f.backend()).isEqualTo(1);
        assertThat(f.requestsMax()).as(f.backend()).isEqualTo(1);
        assertThat(f.rollbackRequests()).as(f.backend()).singleElement().asString().startsWith("PUT ").contains("/namespaces/default/");
      }
    }
  }

  @Test
  void anAlbRollbackOnMotoIsADescribeAndAModify() {
    URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh -pl benchmarks -am");
    RollbackBenchmark.Figures f = RollbackBenchmark.measure(AlbMotoScene.create(moto), 3, 1, 2);
    rolledBackEveryRun(f, 3);
    assertThat(f.requestsMin()).isEqualTo(2);
    assertThat(f.requestsMax()).isEqualTo(2);
    assertThat(f.rollbackRequests()).containsExactly("DescribeListeners", "ModifyListener");
  }
}
