package io.bluegreen.route53;

import io.bluegreen.core.InvalidConfigurationException;
import java.util.Collection;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecord;

/**
 * How much one ChangeResourceRecordSets request may carry. A {@link WeightedRecordRouter} writes
 * one request per stage and splits it only when these limits demand it, never splitting a record
 * group (one name and type) across requests unless that group alone exceeds them.
 *
 * <p>The defaults are Route 53's documented quotas on ChangeResourceRecordSets requests
 * (<a href="https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html">Route 53
 * quotas</a>): at most 1,000 {@code ResourceRecord} elements, each counted twice when the action is
 * UPSERT; at most 32,000 characters in all {@code Value} elements, each character counted twice
 * for UPSERT. Alias records carry no {@code ResourceRecord} element, so as a guard of our own a
 * request also holds at most 1,000 {@code Change} elements (older editions of the guide listed 100
 * Change elements; the current quotas no longer list a Change count).
 *
 * <pre>{@code
 * ChangeBatchLimits.defaults();                                            // Route 53's quotas
 * ChangeBatchLimits.builder().maxChanges(200).build();                     // smaller requests
 * }</pre>
 */
public final class ChangeBatchLimits {

  private static final ChangeBatchLimits DEFAULTS = builder().build();

  private final int maxResourceRecordElements;
  private final int maxValueCharacters;
  private final int maxChanges;

  private ChangeBatchLimits(Builder b) {
    this.maxResourceRecordElements = b.maxResourceRecordElements;
    this.maxValueCharacters = b.maxValueCharacters;
    this.maxChanges = b.maxChanges;
  }

  /** @return Route 53's documented limits: 1,000 ResourceRecord elements, 32,000 value characters (UPSERT counted twice), 1,000 changes */
  public static ChangeBatchLimits defaults() {
    return DEFAULTS;
  }

  /** @return a builder starting from {@link #defaults()} */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the most ResourceRecord elements per request, UPSERTs counted twice */
  public int maxResourceRecordElements() {
    return maxResourceRecordElements;
  }

  /** @return the most characters in all Value elements per request, UPSERTs counted twice */
  public int maxValueCharacters() {
    return maxValueCharacters;
  }

  /** @return the most Change elements per request */
  public int maxChanges() {
    return maxChanges;
  }

  /**
   * @param change a change
   * @return its ResourceRecord elements as Route 53 counts them (twice for UPSERT)
   */
  public static int resourceRecordElements(Change change) {
    int n = change.resourceRecordSet().hasResourceRecords() ? change.resourceRecordSet().resourceRecords().size() : 0;
    return change.action() == ChangeAction.UPSERT ? 2 * n : n;
  }

  /**
   * @param change a change
   * @return the characters of its Value elements as Route 53 counts them (twice for UPSERT)
   */
  public static int valueCharacters(Change change) {
    int n = 0;
    if (change.resourceRecordSet().hasResourceRecords()) {
      for (ResourceRecord r : change.resourceRecordSet().resourceRecords()) {
        n += r.value() == null ? 0 : r.value().length();
      }
    }
    return change.action() == ChangeAction.UPSERT ? 2 * n : n;
  }

  /**
   * @param changes the changes of one request
   * @return whether one request may carry them all
   */
  public boolean fits(Collection<Change> changes) {
    long records = 0;
    long chars = 0;
    for (Change c : changes) {
      records += resourceRecordElements(c);
      chars += valueCharacters(c);
    }
    return changes.size() <= maxChanges && records <= maxResourceRecordElements && chars <= maxValueCharacters;
  }

  @Override
  public String toString() {
    return "ChangeBatchLimits{" + maxResourceRecordElements + " ResourceRecord elements, " + maxValueCharacters
        + " value characters (UPSERT counted twice), " + maxChanges + " changes}";
  }

  /**
   * Builds {@link ChangeBatchLimits}.
   *
   * <pre>{@code
   * ChangeBatchLimits limits = ChangeBatchLimits.builder().maxResourceRecordElements(500).build();
   * }</pre>
   */
  public static final class Builder {
    private int maxResourceRecordElements = 1_000;
    private int maxValueCharacters = 32_000;
    private int maxChanges = 1_000;

    private Builder() {
    }

    /**
     * @param max at least 2 (one UPSERT of a one-value record)
     * @return this builder
     */
    public Builder maxResourceRecordElements(int max) {
      if (max < 2) {
        throw new InvalidConfigurationException("maxResourceRecordElements " + max + " is too small: an UPSERT of one value counts 2; use 2 or more (Route 53 allows 1000)");
      }
      this.maxResourceRecordElements = max;
      return this;
    }

    /**
     * @param max at least 1
     * @return this builder
     */
    public Builder maxValueCharacters(int max) {
      if (max < 1) {
        throw new InvalidConfigurationException("maxValueCharacters " + max + " is invalid: use 1 or more (Route 53 allows 32000)");
      }
      this.maxValueCharacters = max;
      return this;
    }

    /**
     * @param max at least 1
     * @return this builder
     */
    public Builder maxChanges(int max) {
      if (max < 1) {
        throw new InvalidConfigurationException("maxChanges " + max + " is invalid: use 1 or more");
      }
      this.maxChanges = max;
      return this;
    }

    /** @return the limits */
    public ChangeBatchLimits build() {
      return new ChangeBatchLimits(this);
    }
  }
}
