package io.bluegreen.core.event;

/**
 * Receives a plan's events, in order, on the plan's thread. Keep it quick; an exception thrown here
 * is logged and ignored (a listener can never break a switch).
 *
 * <pre>{@code
 * SwitchListener metrics = event -> registry.counter("bluegreen.events", "type", event.getClass().getSimpleName()).increment();
 * }</pre>
 */
@FunctionalInterface
public interface SwitchListener {

  /** @param event what happened */
  void onEvent(SwitchEvent event);
}
