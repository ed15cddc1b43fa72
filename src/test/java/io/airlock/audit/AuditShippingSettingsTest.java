package io.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Shipping settings fail fast when wrong; object keys sort as the log and carry their anchor. */
class AuditShippingSettingsTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(AuditShippingProperties.class)
  static class Settings {}

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
      .withUserConfiguration(Settings.class)
      .withPropertyValues("airlock.audit.shipping.prefix=/audit/", "airlock.audit.shipping.batch-size=1000",
          "airlock.audit.shipping.initial-delay=PT1S", "airlock.audit.shipping.interval=PT1S",
          "airlock.audit.shipping.max-backoff=PT1M", "airlock.audit.shipping.max-lag=PT15M",
          "airlock.audit.shipping.object-lock=AUTO", "airlock.audit.shipping.lock-mode=COMPLIANCE",
          "airlock.audit.shipping.retention=P400D");

  @Test
  void shippingWithoutABucketOrWithABadPrefixDoesNotStart() {
    context.withPropertyValues("airlock.audit.shipping.enabled=true").run(c ->
        assertThat(c).getFailure().rootCause().hasMessageContaining("bucket must be set when shipping is enabled"));
    context.withPropertyValues("airlock.audit.shipping.bucket=b", "airlock.audit.shipping.prefix=a b").run(c ->
        assertThat(c).getFailure().rootCause().hasMessageContaining("prefix"));
    context.withPropertyValues("airlock.audit.shipping.enabled=true", "airlock.audit.shipping.bucket=logs").run(c -> {
      assertThat(c).hasNotFailed();
      assertThat(c.getBean(AuditShippingProperties.class).keyPrefix()).isEqualTo("audit/");
    });
  }

  @Test
  void keysSortAsTheLogAndNameTheChainHeadTheyEndAt() {
    String hash = "ab".repeat(32);
    List<String> keys = new ArrayList<>();
    for (long first : new long[] {1, 9, 10, 1000}) {
      keys.add(ShippedBatch.of("audit/", LocalDate.of(2026, 12, 1), first, first + 5, hash).key());
    }
    assertThat(keys).isSorted();
    ShippedBatch b = ShippedBatch.parse(keys.get(2)).orElseThrow();
    assertThat(b.key()).isEqualTo("audit/2026/12/01/00000000000000000010-00000000000000000015-" + hash + ".jsonl.gz");
    assertThat(b.firstSeq()).isEqualTo(10);
    assertThat(b.lastSeq()).isEqualTo(15);
    assertThat(b.lastHash()).isEqualTo(hash);
    assertThat(b.key()).startsWith(ShippedBatch.startingAt("audit/", LocalDate.of(2026, 12, 1), 10));
    assertThat(ShippedBatch.parse("audit/2026/13/01/00000000000000000010-00000000000000000015-" + hash + ".jsonl.gz"))
        .isEmpty();
    assertThat(ShippedBatch.parse("audit/notes.txt")).isEmpty();
    assertThat(ShippedBatch.dayOf(new AuditEvent(1, Instant.parse("2026-12-01T23:59:59.999Z"), "a", "b", null, "{}",
        "0", "1"))).isEqualTo(LocalDate.of(2026, 12, 1));
  }
}
