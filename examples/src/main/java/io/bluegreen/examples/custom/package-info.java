/**
 * A custom {@link io.bluegreen.core.Router} written from scratch in under 60 lines: {@link
 * io.bluegreen.examples.custom.FileWeightsRouter} keeps the weights in a file a proxy reloads. Its
 * test extends {@code RouterContractTest} from bluegreen-testkit, the compatibility kit every router
 * passes; do the same for yours.
 *
 * <pre>{@code
 * class MyRouterContractTest extends RouterContractTest {
 *   protected RouterFixture createFixture() throws Exception {
 *     Path file = Files.createTempFile("weights", ".txt");
 *     Files.writeString(file, "blue=100 green=0");
 *     FileWeightsRouter router = new FileWeightsRouter(file, BLUE, GREEN);
 *     return RouterFixture.of(router, BLUE, GREEN, router::reads, router::writes, () -> Files.deleteIfExists(file));
 *   }
 * }
 * }</pre>
 */
package io.bluegreen.examples.custom;
