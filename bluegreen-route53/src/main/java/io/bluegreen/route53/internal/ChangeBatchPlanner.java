package io.bluegreen.route53.internal;

import io.bluegreen.route53.ChangeBatchLimits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.route53.model.Change;

/**
 * Packs the changes of one stage into as few ChangeResourceRecordSets requests as the limits
 * allow. The changes of one record group (one name and type) stay in one request, so that each
 * group switches atomically; a group that alone exceeds the limits is split change by change.
 * First-fit decreasing: optimal for equal-sized groups, near-optimal otherwise.
 *
 * <pre>{@code
 * List<List<Change>> requests = ChangeBatchPlanner.plan(changesPerGroup, ChangeBatchLimits.defaults());
 * }</pre>
 */
public final class ChangeBatchPlanner {

  private ChangeBatchPlanner() {
  }

  /** The size of a set of changes in each limited dimension. */
  private record Size(long changes, long records, long chars) {
    static Size of(List<Change> changes) {
      long r = 0;
      long c = 0;
      for (Change ch : changes) {
        r += ChangeBatchLimits.resourceRecordElements(ch);
        c += ChangeBatchLimits.valueCharacters(ch);
      }
      return new Size(changes.size(), r, c);
    }

    Size plus(Size o) {
      return new Size(changes + o.changes, records + o.records, chars + o.chars);
    }

    boolean within(ChangeBatchLimits l) {
      return changes <= l.maxChanges() && records <= l.maxResourceRecordElements() && chars <= l.maxValueCharacters();
    }

    /** How full this is, for sorting: the largest fraction of any limit. */
    double fill(ChangeBatchLimits l) {
      return Math.max((double) changes / l.maxChanges(),
          Math.max((double) records / l.maxResourceRecordElements(), (double) chars / l.maxValueCharacters()));
    }
  }

  private static final class Batch {
    final List<Change> changes = new ArrayList<>();
    Size size = new Size(0, 0, 0);
  }

  /**
   * @param groups the changes of each record group
   * @param limits per-request limits
   * @return the requests' change lists, each within the limits
   * @throws IllegalArgumentException if a single change exceeds the limits
   */
  public static List<List<Change>> plan(List<List<Change>> groups, ChangeBatchLimits limits) {
    List<List<Change>> units = new ArrayList<>();
    for (List<Change> group : groups) {
      if (group.isEmpty()) {
        continue;
      }
      if (Size.of(group).within(limits)) {
        units.add(group);
      } else {
        for (Change c : group) {
          if (!Size.of(List.of(c)).within(limits)) {
            throw new IllegalArgumentException("the change of " + c.resourceRecordSet().name() + " "
                + c.resourceRecordSet().typeAsString() + " (" + c.resourceRecordSet().setIdentifier()
                + ") alone exceeds " + limits);
          }
          units.add(List.of(c));
        }
      }
    }
    List<List<Change>> sorted = new ArrayList<>(units);
    sorted.sort(Comparator.comparingDouble((List<Change> u) -> Size.of(u).fill(limits)).reversed());
    List<Batch> batches = new ArrayList<>();
    for (List<Change> unit : sorted) {
      Size s = Size.of(unit);
      Batch target = null;
      for (Batch b : batches) {
        if (b.size.plus(s).within(limits)) {
          target = b;
          break;
        }
      }
      if (target == null) {
        target = new Batch();
        batches.add(target);
      }
      target.changes.addAll(unit);
      target.size = target.size.plus(s);
    }
    List<List<Change>> result = new ArrayList<>();
    for (Batch b : batches) {
      result.add(List.copyOf(b.changes));
    }
    return result;
  }

  /**
   * @param groups the changes of each record group
   * @param limits per-request limits
   * @return whether some group had to be split across requests
   */
  public static boolean splitsAGroup(List<List<Change>> groups, ChangeBatchLimits limits) {
    return groups.stream().anyMatch(g -> !g.isEmpty() && !Size.of(g).within(limits));
  }
}
