package io.bluegreen.k8s.support;

import io.bluegreen.core.Router;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.RecordingListener;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;

/** Plans on a virtual clock, moving {@link Fixtures#BLUE} to {@link Fixtures#GREEN}. */
public final class Plans {
  private Plans() {
  }

  public static SwitchPlan.Builder plan(Router router, StageSchedule schedule, VirtualClock clock, RecordingListener events) {
    return SwitchPlan.builder()
        .name("k8s-test")
        .router(router)
        .from(Fixtures.BLUE).to(Fixtures.GREEN)
        .schedule(schedule)
        .gateInterval(Duration.ofSeconds(10))
        .lock(new InProcessRouteLock())
        .time(clock)
        .waitForClientConvergence(false)
        .listener(events);
  }
}
