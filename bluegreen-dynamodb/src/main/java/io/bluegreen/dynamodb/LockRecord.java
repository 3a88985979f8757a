package io.bluegreen.dynamodb;

import java.time.Instant;
import java.util.Optional;

/**
 * A route's lock item as stored in the table, read by {@link DynamoDbRouteLock#read(String)}: who
 * holds the route, since when, until when, and from when another plan may take it over.
 *
 * <pre>{@code
 * lock.read(router.routeId()).filter(LockRecord::isHeld)
 *     .ifPresent(r -> log.info("{} holds it until {}", r.owner().orElseThrow(), r.expiresAt().orElseThrow()));
 * }</pre>
 */
public final class LockRecord {
  private final String routeId;
  private final long version;
  private final String owner;
  private final Instant acquiredAt;
  private final Instant expiresAt;
  private final Instant takeoverAt;

  LockRecord(String routeId, long version, String owner, Instant acquiredAt, Instant expiresAt, Instant takeoverAt) {
    this.routeId = routeId;
    this.version = version;
    this.owner = owner;
    this.acquiredAt = acquiredAt;
    this.expiresAt = expiresAt;
    this.takeoverAt = takeoverAt;
  }

  /** @return the route */
  public String routeId() {
    return routeId;
  }

  /** @return the fencing counter: the last acquisition's token (kept after a release) */
  public long version() {
    return version;
  }

  /** @return whether someone holds the lock (or held it and has not released it: it may have expired) */
  public boolean isHeld() {
    return owner != null;
  }

  /** @return the holder, unless released */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** @return when the holder acquired it, unless released */
  public Optional<Instant> acquiredAt() {
    return Optional.ofNullable(acquiredAt);
  }

  /** @return when it runs out without renewal (holder's clock), unless released */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /** @return from when another plan may take it over (expiry + the reading lock's clock-skew margin), unless released */
  public Optional<Instant> takeoverAt() {
    return Optional.ofNullable(takeoverAt);
  }

  @Override
  public String toString() {
    return "LockRecord[" + routeId + ", version " + version + (owner == null ? ", released" : ", held by " + owner + " since "
        + acquiredAt + " until " + expiresAt) + "]";
  }
}
