package io.bluegreen.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://ops:pw@green.internal:8443/health?token=abc&verbose#top | https://green.internal:8443/health?token=<redacted>&<redacted>",
      "http://user:SECRET@host/                                   | http://host/",
      "http://127.0.0.1:8080/health                                 | http://127.0.0.1:8080/health",
      "http://[::1]:9000/ready?sig=x%2Fy&a=                         | http://[::1]:9000/ready?sig=<redacted>&a=<redacted>",
      "/relative/health?token=abc#frag                              | /relative/health?token=<redacted>",
      "ftp://admin:s3cr3tPW@files.example.com/x                     | ftp://files.example.com/x",
      "mailto:ops:pw@example.com                                    | mailto:<redacted>",
      "jdbc:postgresql://app:pw@db.internal:5432/shop?password=pw   | jdbc:postgresql://db.internal:5432/shop?password=<redacted>",
      "localhost:8080                                               | localhost:8080",
      "https://a_b.internal:443/x?k=v                               | https://a_b.internal:443/x?k=<redacted>",
  })
  void urisLoseUserInfoQueryValuesAndFragment(String in, String out) {
    assertThat(Redaction.uri(in)).isEqualTo(out);
    assertThat(Redaction.uri(URI.create(in))).isEqualTo(out);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "http://exa mple.com/?token=SECRET                 | <unparseable-uri>",
      "http://user:SECRET@good.host:81/pa th?token=SECRET | http://good.host:81/<unparseable-uri>",
      "ht tp://SECRET                                     | <unparseable-uri>",
      "%%%SECRET                                          | <unparseable-uri>",
      "''                                                 | ''",
  })
  void unparseableUrisAreNeverEchoedAndNeverThrow(String in, String out) {
    assertThat(Redaction.uri(in)).isEqualTo(out).doesNotContain("SECRET");
  }

  @Test
  void randomGarbageNeverThrowsAndNeverEchoesAQueryValue() {
    String alphabet = "ab:/?#@%[]=& .SECRET\u0000\n";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = ThreadLocalRandom.current().nextInt(40);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
      }
      String s = sb.toString();
      String r = Redaction.uri(s);
      assertThat(r).isNotNull().doesNotContain("\n").doesNotContain("\u0000");
      Redaction.text(s, List.of("SECRET"));
    }
    assertThat(Redaction.uri((String) null)).isEqualTo("null");
    assertThat(Redaction.uri((URI) null)).isEqualTo("null");
    assertThat(Redaction.text(null)).isNull();
  }

  @Test
  void textRedactsUrisAndCredentialShapedValues() {
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
    String in = "GET https://u:pw@x.internal/api?token=abc&page=2. failed; Authorization: Bearer abc.def, retry; bearer s3cr3t-t0ken;"
        + " X-Amz-Security-Token: FQoGZXIvYXdz; key AKIAIOSFODNN7EXAMPLE; {\"client_secret\":\"s3\",\"password\": \"p\"}"
        + " jwt " + jwt + " ClientSecret=xyz, SecretAccessKey=abc; see (http://docs.internal/#frag).";
    String out = Redaction.text(in);
    assertThat(out).doesNotContain("pw@", "abc", "s3cr3t-t0ken", "FQoGZXIvYXdz", "AKIAIOSFODNN7EXAMPLE", "\"s3\"", "xyz", "#frag")
        .doesNotContain(jwt)
        .contains("GET https://x.internal/api?token=<redacted>&page=<redacted>. failed")
        .contains("Authorization: <redacted>")
        .contains("X-Amz-Security-Token: <redacted>")
        .contains("ClientSecret=<redacted>")
        .contains("(http://docs.internal/).");
  }

  @Test
  void theRuleIsIdempotent() {
    String[] texts = {
        "GET https://u:pw@x.internal/api?token=abc&page=2#f failed; Authorization: Bearer abc.def",
        "see http://exa mple/?token=abc and ftp://h/p?q=1, password=x, {\"client_secret\":\"s3\"}",
        "http://user:SECRET@good.host:81/pa th?token=SECRET",
    };
    for (String t : texts) {
      String once = Redaction.text(t, List.of("SECRET"));
      assertThat(Redaction.text(once, List.of("SECRET"))).as(t).isEqualTo(once);
      assertThat(Redaction.uri(Redaction.uri(t))).isEqualTo(Redaction.uri(t));
    }
  }

  @Test
  void ordinaryMessagesAreLeftAlone() {
    String[] plain = {
        "update Service default/app-service failed with HTTP 500; the API server said: etcd leader changed",
        "listener arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2 has no forward action",
        "The security token included in the request is invalid. (Service: ElasticLoadBalancingV2, Status Code: 403, Request ID: 1-2-3)",
        "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided",
        "hosted zone id \"example.com\" is invalid: pass the id Route 53 shows for the zone",
        "password is not set: call password(...)",
        "bearer token is blank: pass a non-empty value",
        "grant cloudwatch:GetMetricData to the caller, or fix its credentials: see the IAM policy in the bluegreen-aws README",
        "pass the token with a Bearer authentication header",
    };
    for (String p : plain) {
      assertThat(Redaction.text(p)).isEqualTo(p);
    }
  }

  @Test
  void knownSecretsAreReplacedWhereverTheyAppearAlsoUrlEncoded() {
    String secret = "wJalr/XUtnFEMI+K7MDENG";
    String in = "echo " + secret + " and " + java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(Redaction.text(in, List.of(secret))).isEqualTo("echo <redacted> and <redacted>");
    assertThat(Redaction.text("a abc b", List.of("abc"))).as("too short to search for").isEqualTo("a abc b");
  }

  @Test
  void exceptionsAreKeptWhenCleanAndReplacedWhenTheyCarryASecret() {
    IOException clean = new IOException("connection refused");
    assertThat(Redaction.exception(clean, List.of("SECRET1"))).isSameAs(clean);

    IllegalStateException dirty = new IllegalStateException("wrapper", new IOException("GET http://h/?token=SECRET1 failed"));
    dirty.addSuppressed(new RuntimeException("also SECRET1"));
    Throwable r = Redaction.exception(dirty, List.of("SECRET1"));
    assertThat(r).isNotSameAs(dirty).isInstanceOf(RedactedException.class);
    assertThat(((RedactedException) r).originalType()).isEqualTo(IllegalStateException.class.getName());
    assertThat(r.getStackTrace()).isEqualTo(dirty.getStackTrace());
    assertThat(r.getCause()).isInstanceOf(RedactedException.class).hasMessage("GET http://h/?token=<redacted> failed");
    assertThat(r.getSuppressed()).singleElement().satisfies(s -> assertThat(s).hasMessage("also <redacted>"));
    assertThat(r.toString()).startsWith("java.lang.IllegalStateException (redacted): wrapper");

    Redaction.Copier sameType = (original, redact, cause) -> original instanceof IllegalStateException
        ? new IllegalStateException(redact.apply(original.getMessage()), cause) : null;
    Throwable typed = Redaction.exception(dirty, List.of("SECRET1"), sameType);
    assertThat(typed).isExactlyInstanceOf(IllegalStateException.class).hasMessage("wrapper");
  }

  @Test
  void blueGreenExceptionMessagesFollowTheRule() {
    assertThat(new RouterException("PUT https://admin:pw@proxy/weights?sig=abc answered 503", null, true))
        .hasMessage("PUT https://proxy/weights?sig=<redacted> answered 503");
    assertThat(GateResult.unhealthy("GET http://h/health?token=abc answered 503").reason())
        .isEqualTo("GET http://h/health?token=<redacted> answered 503");
  }
}
