package io.bluegreen.examples.custom;

import io.bluegreen.core.Environment;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.RouterContractTest;
import java.nio.file.Files;
import java.nio.file.Path;

/** The from-scratch router passes the same compatibility kit as the built-in ones. */
class FileWeightsRouterContractTest extends RouterContractTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  @Override
  protected RouterFixture createFixture() throws Exception {
    Path dir = Files.createTempDirectory("file-weights-router");
    Path file = Files.writeString(dir.resolve("weights"), "blue=100 green=0\n");
    FileWeightsRouter router = new FileWeightsRouter(file, BLUE, GREEN);
    return RouterFixture.of(router, BLUE, GREEN, router::reads, router::writes, () -> {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }).withOutOfBand(new OutOfBandWriter() {                // another writer: edits the file directly
      @Override
      public void write(TrafficSplit split) throws Exception {
        Files.writeString(file, split.toString());
      }

      @Override
      public String writeUnmapped() throws Exception {
        Files.writeString(file, "red=100");
        return "red=100";
      }
    });
  }
}
