package io.bluegreen.route53;

import io.bluegreen.testkit.Evidence;

/**
 * The crash-resume kit for Route 53 with conditionalWrites(true): the resuming router holds no
 * records yet, so its first write reads first, exactly as by default; a write whose reply was held
 * back (it landed) is written again, unchanged (a DELETE and a CREATE of the records as read), to
 * have a change to wait for INSYNC. It carries its own {@code @Evidence}: the report lists a class
 * only when its own source carries the annotation.
 */
@Evidence(backend = "moto server 5.2.5 (Route 53, DynamoDB) checking each ChangeBatch as Route 53 documents it"
    + " (scripts/lib/moto_server.py) behind a recording WireMock proxy; the first plan runs in a child JVM killed with SIGKILL")
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
