package io.bluegreen.examples.custom;

import io.bluegreen.core.Environment;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.UnmappedRouteStateException;
import io.bluegreen.core.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Router} from scratch, passing {@code RouterContractTest}: the weights live in a one-line file
 * ({@code blue=90 green=10}) a proxy reloads, like an nginx include; writes are atomic (temp file + rename).
 * <pre>{@code SwitchPlan.builder().router(new FileWeightsRouter(file, blue, green)).from(blue).to(green)...build();}</pre>
 */
public final class FileWeightsRouter implements Router {
  private final Path file;
  private final List<Environment> environments;
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  /** Routes by the weights in {@code file}, which must exist; splits may name only {@code environments}. */
  public FileWeightsRouter(Path file, Environment... environments) {
    this.file = file.toAbsolutePath();
    this.environments = List.of(environments);
  }

  @Override public String routeId() { return "file:" + file; }
  @Override public List<Environment> environments() { return environments; }
  @Override public RouterCapabilities capabilities() { return RouterCapabilities.weighted(); }
  @Override public Verification verify(TrafficSplit expected) { return Verification.compare(expected, current()); }
  /** @return file reads so far */ public long reads() { return reads.get(); }
  /** @return file writes so far */ public long writes() { return writes.get(); }

  @Override public TrafficSplit current() {
    reads.incrementAndGet();
    try {
      TrafficSplit split = TrafficSplit.parse(Files.readString(file));
      if (!environments.containsAll(split.receiving())) {   // another writer sent traffic where no environment is
        throw new UnmappedRouteStateException(routeId(), "weights " + split, "put the file back to known environments");
      }
      return split.orderedAs(environments);
    } catch (IOException e) {
      throw RouterException.transientFailure("cannot read " + file + ": " + e, e);
    }
  }

  @Override public void apply(TrafficSplit target) {
    validate(target);                                 // unknown environments: rejected before touching the file
    if (target.equals(current())) { return; }         // already in place: write nothing
    writes.incrementAndGet();
    try {
      Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), target.orderedAs(environments).toString());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw RouterException.transientFailure("cannot write " + file + ": " + e, e);
    }
  }
}
