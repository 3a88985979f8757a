package consumer;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.lock.RouteLock;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.k8s.ServiceSelectorRouter;
import io.bluegreen.micrometer.MicrometerSwitchListener;
import io.bluegreen.prometheus.PrometheusGate;
import io.bluegreen.route53.WeightedRecordRouter;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Compiles only if every module resolved through the BOM alone. */
public final class UsesEveryModule {
  private UsesEveryModule() {
  }

  /** @param args unused */
  public static void main(String[] args) {
    System.out.println(SwitchPlan.class.getName() + " " + ServiceSelectorRouter.class.getName() + " "
        + AlbListenerRouter.class.getName() + " " + WeightedRecordRouter.class.getName() + " " + PrometheusGate.class.getName()
        + " " + MicrometerSwitchListener.class.getName());
    // builds a client (its HTTP client must be on the runtime classpath) and a lock; sends no request
    try (DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
        .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
      RouteLock lock = DynamoDbRouteLock.create(dynamo, b -> b.tableName("bluegreen-locks"));
      System.out.println(lock);
    }
  }
}
