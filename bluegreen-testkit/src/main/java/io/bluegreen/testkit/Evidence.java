package io.bluegreen.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class whose tests record evidence ({@link EvidenceLog}, {@link FaultMatrix}) and names
 * the backend they ran against. A row a test records is kept only when that test passes (every
 * assertion, its {@code @AfterEach} methods included); rows of a failed, aborted or skipped test are
 * dropped. Nothing is written at all unless the build asks for it (see {@link EvidenceLog}).
 *
 * <pre>{@code
 * @Evidence(backend = "WireMock: a hand-written ELBv2 fake (FakeElb)")
 * class AlbFaultMatrixTest {
 *   @ParameterizedTest @MethodSource("cells")
 *   void cell(...) {
 *     FaultMatrix.cell("AlbListenerRouter", "HTTP 503", Point.STAGE_WRITE, Persistence.ONCE)
 *         .retries(forward, rollback).check(result);   // asserted now, written when the test has passed
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(EvidenceLog.Recorder.class)
public @interface Evidence {

  /**
   * @return what the tests ran against, as a reader of the report should see it, e.g. "moto server 5.2.5
   *     (ELBv2)", "fabric8 kubernetes-server-mock 7.8.0 in CRUD mode", "a real kube-apiserver"
   */
  String backend();
}
