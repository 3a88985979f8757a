/**
 * Benchmarks that print figures; run them with {@code scripts/bench.sh}. Their tests only check that
 * they run and report sane figures, never how fast.
 */
package io.bluegreen.benchmarks;
