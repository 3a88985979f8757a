package io.bluegreen.testkit;

import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.event.SwitchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps every event, and optionally reacts to each (e.g. approve when an ApprovalRequested arrives).
 *
 * <pre>{@code
 * RecordingListener events = new RecordingListener();
 * plan = builder.listener(events).build();
 * plan.execute();
 * events.ofType(SwitchEvent.StageApplied.class).size();
 * }</pre>
 */
public final class RecordingListener implements SwitchListener {

  private final List<SwitchEvent> events = new ArrayList<>();
  private final Consumer<SwitchEvent> reaction;

  /** Records only. */
  public RecordingListener() {
    this(e -> { });
  }

  /** @param reaction called with each event after it is recorded */
  public RecordingListener(Consumer<SwitchEvent> reaction) {
    this.reaction = reaction;
  }

  @Override
  public synchronized void onEvent(SwitchEvent event) {
    events.add(event);
    reaction.accept(event);
  }

  /** @return all events, in order */
  public synchronized List<SwitchEvent> events() {
    return List.copyOf(events);
  }

  /**
   * @param type an event type
   * @param <E> the type
   * @return the events of that type, in order
   */
  public synchronized <E extends SwitchEvent> List<E> ofType(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
