package io.bluegreen.route53;

/**
 * The router kit on moto with {@code conditionalWrites(true)}: every write a DELETE of each record
 * as last read or written and a CREATE, so the guard-refusal checks are Route 53's own refusals.
 * moto 5.2.5 does not refuse a DELETE whose values differ; the test server (scripts/lib/moto_server.py)
 * checks each ChangeBatch as Route 53 documents it, and these tests depend on that.
 */
class WeightedRecordRouterConditionalMotoContractTest extends WeightedRecordRouterMotoContractTest {

  @Override
  protected boolean conditionalWrites() {
    return true;
  }
}
