/**
 * Test support for bluegreen users and adapter authors: {@link io.bluegreen.testkit.InMemoryRouter},
 * {@link io.bluegreen.testkit.ScriptedGate}, {@link io.bluegreen.testkit.VirtualClock},
 * {@link io.bluegreen.testkit.RecordingListener} and {@link io.bluegreen.testkit.RouterContractTest},
 * the compatibility kit every router passes; {@link io.bluegreen.testkit.SecretCanaries} and
 * {@link io.bluegreen.testkit.LogCapture} prove that no secret of yours leaks into a log line, event,
 * exception or summary.
 */
package io.bluegreen.testkit;
