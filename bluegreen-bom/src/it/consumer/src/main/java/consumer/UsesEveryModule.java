package consumer;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.micrometer.MicrometerSwitchListener;
import io.bluegreen.prometheus.PrometheusGate;
import io.bluegreen.route53.WeightedRecordRouter;

/** Compiles only if every module resolved through the BOM alone. */
public final class UsesEveryModule {
  private UsesEveryModule() {
  }

  /** @param args unused */
  public static void main(String[] args) {
    System.out.println(SwitchPlan.class.getName() + " " + ServiceSelectorRouter.class.getName() + " "
        + AlbListenerRouter.class.getName() + " " + WeightedRecordRouter.class.getName() + " " + PrometheusGate.class.getName()
        + " " + MicrometerSwitchListener.class.getName());
  }
}
