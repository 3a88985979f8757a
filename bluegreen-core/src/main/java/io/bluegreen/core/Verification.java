package io.bluegreen.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Router#verify(TrafficSplit)} found when it read back.
 *
 * <pre>{@code
 * Verification v = Verification.compare(expected, current());   // VERIFIED or PENDING with details
 * Verification.pending("change C123 is PENDING");                // e.g. Route 53 not yet INSYNC
 * }</pre>
 */
public final class Verification {

  /** The three answers a router can give. */
  public enum Status {
    /** The backend serves the expected split. */
    VERIFIED,
    /** Not yet (propagation, eventual consistency); ask again later. */
    PENDING,
    /** The router cannot tell; the engine compares {@link Router#current()} instead. */
    UNSUPPORTED
  }

  private static final Verification VERIFIED = new Verification(Status.VERIFIED, "read back as expected", null);
  private static final Verification UNSUPPORTED = new Verification(Status.UNSUPPORTED, "router cannot verify", null);

  private final Status status;
  private final String detail;
  private final TrafficSplit observed;

  private Verification(Status status, String detail, TrafficSplit observed) {
    this.status = status;
    this.detail = Redaction.text(detail);
    this.observed = observed;
  }

  /** @return VERIFIED */
  public static Verification verified() {
    return VERIFIED;
  }

  /**
   * @param observed the split read back
   * @return VERIFIED, carrying what was read
   */
  public static Verification verified(TrafficSplit observed) {
    return new Verification(Status.VERIFIED, "read back " + observed, observed);
  }

  /**
   * @param detail what is still pending, e.g. "change C123 is PENDING"
   * @return PENDING
   */
  public static Verification pending(String detail) {
    return new Verification(Status.PENDING, Checks.notNull(detail, "detail"), null);
  }

  /**
   * @param detail what is still pending
   * @param observed the split read back so far
   * @return PENDING, carrying what was read
   */
  public static Verification pending(String detail, TrafficSplit observed) {
    return new Verification(Status.PENDING, Checks.notNull(detail, "detail"), Checks.notNull(observed, "observed"));
  }

  /** @return UNSUPPORTED */
  public static Verification unsupported() {
    return UNSUPPORTED;
  }

  /**
   * Compares what was read back with what was expected.
   *
   * @param expected the split applied
   * @param observed the split read back
   * @return VERIFIED if equal, otherwise PENDING naming both
   */
  public static Verification compare(TrafficSplit expected, TrafficSplit observed) {
    if (Objects.equals(expected, observed)) {
      return verified(observed);
    }
    return new Verification(Status.PENDING, "read back " + observed + ", expected " + expected, observed);
  }

  /** @return the status */
  public Status status() {
    return status;
  }

  /** @return a human explanation */
  public String detail() {
    return detail;
  }

  /** @return the split read back, when the router reported it */
  public Optional<TrafficSplit> observed() {
    return Optional.ofNullable(observed);
  }

  /** @return whether the status is VERIFIED */
  public boolean isVerified() {
    return status == Status.VERIFIED;
  }

  @Override
  public String toString() {
    return status + " (" + detail + ")";
  }
}
