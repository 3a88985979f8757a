/**
 * What a running plan reports: {@link io.bluegreen.core.event.SwitchEvent} and its typed records,
 * {@link io.bluegreen.core.event.SwitchListener}, and {@link io.bluegreen.core.event.Slf4jSwitchListener},
 * the default progress log.
 */
package io.bluegreen.core.event;
