package io.bluegreen.aws;

import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.testkit.RouterContractTest;

/** {@link AlbRuleRouter} passes the router TCK against moto server, through the real AWS SDK;
 * another writer modifies the forward action with its own client. */
class AlbRuleRouterMotoContractTest extends RouterContractTest {

  @Override
  protected RouterFixture createFixture() {
    MotoAlb alb = MotoAlb.create(MotoAlb.options().rule());
    Environment blue = Environment.of("blue");
    Environment green = Environment.of("green");
    AlbRuleRouter router = AlbRuleRouter.builder(alb.elb)
        .ruleArn(alb.ruleArn)
        .environment(blue, alb.blueTg)
        .environment(green, alb.greenTg)
        .build();
    return RouterFixture.of(router, blue, green, alb.counter::total, alb.counter::writes, alb)
        .withOutOfBand(alb.outOfBand(blue, green))
        .withEverythingButWeights(alb::everythingButWeights);
  }
}
