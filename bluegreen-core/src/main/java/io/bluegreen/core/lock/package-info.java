/**
 * One writer per route: the {@link io.bluegreen.core.lock.RouteLock} SPI and its in-JVM
 * implementation {@link io.bluegreen.core.lock.InProcessRouteLock}.
 */
package io.bluegreen.core.lock;
