package io.bluegreen.benchmarks;

/**
 * The two shell loops of {@code aws elbv2} calls that {@link AwsCliComparison} times against the
 * library (shell, as a team would write it, not library code). Both take
 * {@code <aws> <endpoint> <listener-arn> <blue-tg-arn> <green-tg-arn>} and move the listener's
 * forward weights blue→green 90/70/50/25/0, one Python process per call.
 *
 * <pre>{@code
 * Files.writeString(script, CliLoops.SEEDS_LOOP);
 * new ProcessBuilder("bash", script.toString(), aws, endpoint, listener, blue, green).start();
 * }</pre>
 */
final class CliLoops {

  private static final String HEADER = String.join("\n",
      "#!/usr/bin/env bash",
      "# usage: loop.sh <aws> <endpoint> <listener-arn> <blue-tg> <green-tg>",
      "set -euo pipefail",
      "aws=$1; endpoint=$2; listener=$3; blue=$4; green=$5",
      "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1",
      "elb() { \"$aws\" elbv2 --endpoint-url \"$endpoint\" \"$@\"; }",
      "forward() { echo \"Type=forward,ForwardConfig={TargetGroups=[{TargetGroupArn=$blue,Weight=$1},"
          + "{TargetGroupArn=$green,Weight=$((100 - $1))}]}\"; }",
      "");

  /** The seeds' loop: five blind writes (no read, no check, no rollback). 5 requests. */
  static final String SEEDS_LOOP = HEADER + String.join("\n",
      "for w in 90 70 50 25 0; do",
      "  elb modify-listener --listener-arn \"$listener\" --default-actions \"$(forward \"$w\")\" > /dev/null",
      "done",
      "");

  /**
   * The same work the library does, call for call (the harness checks the counts against moto's
   * recorder): read the listener (snapshot), preflight (read the listener, describe both target
   * groups, count the healthy targets of green), then per stage read and check the weights are the
   * previous stage's (drift), write, and check the written weights in ModifyListener's response
   * (the library verifies from that response too); a last read at the end.
   */
  static final String SAME_WORK_LOOP = HEADER + String.join("\n",
      "weights() {  # prints \"<blue weight> <green weight>\" of the listener's forward action, read from stdin (text output)",
      "  awk -v b=\"$blue\" -v g=\"$green\" '$1==b{bw=$2} $1==g{gw=$2} END{print bw\" \"gw}'",
      "}",
      "query='DefaultActions[?Type==`forward`].ForwardConfig.TargetGroups[].[TargetGroupArn,Weight]'",
      "read_weights() { elb describe-listeners --listener-arns \"$listener\" --query \"Listeners[0].$query\" --output text | weights; }",
      "expect() { [ \"$1\" = \"$2\" ] || { echo \"expected weights $2, found $1\" >&2; exit 1; }; }",
      "expect \"$(read_weights)\" \"100 0\"                                         # snapshot",
      "expect \"$(read_weights)\" \"100 0\"                                         # preflight: the listener forwards",
      "elb describe-target-groups --target-group-arns \"$blue\" > /dev/null         # preflight: the groups exist",
      "elb describe-target-groups --target-group-arns \"$green\" > /dev/null",
      "healthy=$(elb describe-target-health --target-group-arn \"$green\" \\",
      "  --query 'length(TargetHealthDescriptions[?TargetHealth.State==`healthy`])' --output text)",
      "[ \"$healthy\" -ge 1 ] || { echo \"green has no healthy target\" >&2; exit 1; }",
      "previous=\"100 0\"",
      "for w in 90 70 50 25 0; do",
      "  expect \"$(read_weights)\" \"$previous\"                                    # drift check",
      "  written=$(elb modify-listener --listener-arn \"$listener\" --default-actions \"$(forward \"$w\")\" \\",
      "    --query \"Listeners[0].$query\" --output text | weights)",
      "  expect \"$written\" \"$w $((100 - w))\"                                     # verify from the response",
      "  previous=\"$w $((100 - w))\"",
      "done",
      "expect \"$(read_weights)\" \"0 100\"                                         # the end state",
      "");

  private CliLoops() {
  }
}
