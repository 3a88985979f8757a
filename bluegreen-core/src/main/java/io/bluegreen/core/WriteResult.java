package io.bluegreen.core;

import java.util.Optional;

/**
 * What {@link Router#applyIfUnchanged(TrafficSplit, TrafficSplit, WritePurpose)} did: whether it
 * wrote (or found the target already in place), and what the backend holds after it — taken from
 * the write's response where the backend answers with the stored state (a Kubernetes update, ELBv2
 * ModifyListener), so that no read back is needed. {@link #verification()} is VERIFIED when the
 * backend serves the target now, PENDING when it holds it but does not serve it yet (a Route 53
 * change not yet INSYNC, an HTTPRoute generation its controller has not observed): the engine then
 * polls {@link Router#verify(TrafficSplit)}.
 *
 * <pre>{@code
 * Service stored = client.services().resource(desired).update();            // 409 if it changed
 * return WriteResult.written(Verification.verified(splitOf(stored)));        // the response is the verification
 * return WriteResult.alreadyInPlace(Verification.verified(target));          // nothing to write
 * }</pre>
 */
public final class WriteResult {

  private final boolean written;
  private final Verification verification;

  private WriteResult(boolean written, Verification verification) {
    this.written = written;
    this.verification = Checks.notNull(verification, "verification");
  }

  /**
   * @param verification what the backend holds after the write (from its response where it can)
   * @return the result of a write that reached the backend
   */
  public static WriteResult written(Verification verification) {
    return new WriteResult(true, verification);
  }

  /**
   * @param verification what the backend holds (the target)
   * @return the result of a call that found the target in place and wrote nothing
   */
  public static WriteResult alreadyInPlace(Verification verification) {
    return new WriteResult(false, verification);
  }

  /** @return whether a write reached the backend */
  public boolean written() {
    return written;
  }

  /** @return what the backend holds after the call: VERIFIED, PENDING (ask {@code verify} again) or UNSUPPORTED */
  public Verification verification() {
    return verification;
  }

  /** @return the split the backend holds after the call, when the router reported it */
  public Optional<TrafficSplit> observed() {
    return verification.observed();
  }

  @Override
  public String toString() {
    return (written ? "written, " : "already in place, ") + verification;
  }
}
