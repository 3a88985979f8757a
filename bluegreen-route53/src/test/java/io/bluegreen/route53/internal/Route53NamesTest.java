package io.bluegreen.route53.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.model.RRType;

class Route53NamesTest {

  @Test
  void zoneIdsMayCarryTheHostedZonePrefix() {
    assertThat(Route53Names.hostedZoneId("Z0123456789ABC")).isEqualTo("Z0123456789ABC");
    assertThat(Route53Names.hostedZoneId("/hostedzone/Z0123456789ABC")).isEqualTo("Z0123456789ABC");
  }

  @Test
  void badZoneIdsSayWhatToPass() {
    assertThatThrownBy(() -> Route53Names.hostedZoneId("example.com")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("looks like the zone's name").hasMessageContaining("Z0123456789ABCDEFGHIJ");
    assertThatThrownBy(() -> Route53Names.hostedZoneId("z0123")).hasMessageContaining("capital letters");
    assertThatThrownBy(() -> Route53Names.hostedZoneId("Z" + "A".repeat(40))).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Route53Names.hostedZoneId(" ")).hasMessageContaining("blank");
  }

  @Test
  void recordNamesAreNormalisedToLowerCaseFqdns() {
    assertThat(Route53Names.recordName("API.Example.com", "record name")).isEqualTo("api.example.com.");
    assertThat(Route53Names.recordName("*.example.com.", "record name")).isEqualTo("*.example.com.");
    assertThat(Route53Names.recordName("_sip._tcp.example.com", "record name")).isEqualTo("_sip._tcp.example.com.");
    assertThat(Route53Names.normaliseRead("\\052.Example.com.")).isEqualTo("*.example.com.");
  }

  @Test
  void badRecordNamesSayWhatIsWrong() {
    assertThatThrownBy(() -> Route53Names.recordName("api..example.com", "record name")).hasMessageContaining("empty label");
    assertThatThrownBy(() -> Route53Names.recordName("a".repeat(64) + ".example.com", "record name"))
        .hasMessageContaining("64 characters").hasMessageContaining("at most 63");
    String longName = ("a".repeat(60) + ".").repeat(5) + "com";
    assertThatThrownBy(() -> Route53Names.recordName(longName, "record name")).hasMessageContaining("at most 255 octets");
    assertThatThrownBy(() -> Route53Names.recordName("-api.example.com", "record name")).hasMessageContaining("invalid label \"-api\"");
    assertThatThrownBy(() -> Route53Names.recordName("api.*.example.com", "record name")).hasMessageContaining("invalid label \"*\"");
    assertThatThrownBy(() -> Route53Names.recordName("api example.com", "record name")).hasMessageContaining("invalid label");
  }

  @Test
  void typesMustBeWeightable() {
    assertThat(Route53Names.recordType("aaaa")).isEqualTo(RRType.AAAA);
    assertThat(Route53Names.recordType("CNAME")).isEqualTo(RRType.CNAME);
    assertThatThrownBy(() -> Route53Names.recordType("SOA")).hasMessageContaining("SOA and NS belong to the zone");
    assertThatThrownBy(() -> Route53Names.recordType("NS")).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> Route53Names.recordType("BOGUS")).hasMessageContaining("use one of A, AAAA");
  }

  @Test
  void setIdentifiersHaveOneTo128Characters() {
    assertThat(Route53Names.setIdentifier("x".repeat(128), "id")).hasSize(128);
    assertThatThrownBy(() -> Route53Names.setIdentifier("", "SetIdentifier of blue")).hasMessageContaining("1 to 128");
    assertThatThrownBy(() -> Route53Names.setIdentifier("x".repeat(129), "id")).hasMessageContaining("129 characters");
    assertThatThrownBy(() -> Route53Names.setIdentifier("a\nb", "id")).hasMessageContaining("control character");
  }

  @Test
  void healthCheckIdsAreUuids() {
    assertThat(Route53Names.healthCheckId("2B1D6F3E-0C7A-4C55-9F0E-4D2A8B6C1E90")).isEqualTo("2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90");
    assertThatThrownBy(() -> Route53Names.healthCheckId("hc-123")).hasMessageContaining("a UUID");
  }
}
