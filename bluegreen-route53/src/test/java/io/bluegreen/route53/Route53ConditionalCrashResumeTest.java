package io.bluegreen.route53;

/**
 * The crash-resume kit for Route 53 with conditionalWrites(true): the resuming router holds no
 * records yet, so its first write reads first, exactly as by default; a write whose reply was held
 * back (it landed) is written again, unchanged (a DELETE and a CREATE of the records as read), to
 * have a change to wait for INSYNC.
 */
class Route53ConditionalCrashResumeTest extends Route53CrashResumeTest {

  @Override
  protected boolean conditionalWrites() {
    return true;
  }

  @Override
  protected String what() {
    return "Route 53 weighted records, conditionalWrites(true) (moto, DynamoDbRouteLock)";
  }
}
