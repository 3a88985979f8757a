package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MotoRequestCountTest {

  private static String recorded(String body, boolean encoded) {
    String b = encoded ? Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) : body;
    return "{\"headers\": {\"Host\": \"127.0.0.1:1\", \"Content-Type\": \"application/x-www-form-urlencoded; charset=utf-8\"},"
        + " \"method\": \"POST\", \"url\": \"http://127.0.0.1:1/\", \"body\": \"" + b + "\", \"body_encoded\": " + encoded + "}";
  }

  @Test
  void actionsAreCountedFromEncodedAndPlainFormBodies() {
    String recording = String.join("\n",
        recorded("Action=DescribeListeners&Version=2015-12-01&ListenerArns.member.1=arn", true),
        recorded("Action=ModifyListener&Version=2015-12-01", true),
        recorded("Version=2015-12-01&Action=DescribeListeners", false),
        "");
    assertThat(MotoRequestCount.countByAction(recording)).isEqualTo(Map.of("DescribeListeners", 2, "ModifyListener", 1));
    assertThat(MotoRequestCount.total(MotoRequestCount.countByAction(recording))).isEqualTo(3);
  }

  @Test
  void anActionInTheQueryOrTheJsonTargetHeaderCounts() {
    String query = "{\"headers\": {}, \"method\": \"GET\", \"url\": \"http://127.0.0.1:1/?Action=DescribeTargetHealth&Version=1\","
        + " \"body\": \"\", \"body_encoded\": false}";
    String json = "{\"headers\": {\"X-Amz-Target\": \"DynamoDB_20120810.PutItem\"}, \"method\": \"POST\", \"url\": \"http://127.0.0.1:1/\","
        + " \"body\": \"e30=\", \"body_encoded\": true}";
    assertThat(MotoRequestCount.action(query)).isEqualTo("DescribeTargetHealth");
    assertThat(MotoRequestCount.action(json)).isEqualTo("PutItem");
  }

  @Test
  void anEmptyRecordingIsNoRequests() {
    assertThat(MotoRequestCount.countByAction("")).isEmpty();
  }

  @Test
  void aRequestWithoutAnActionIsAnError() {
    assertThatThrownBy(() -> MotoRequestCount.countByAction(recorded("Version=1", true))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a recorded request to http://127.0.0.1:1/ has no Action (form field, query or X-Amz-Target)");
  }
}
