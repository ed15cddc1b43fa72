package io.airlock.audit;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One object of the archive, named by what it anchors:
 * {@code <prefix>yyyy/mm/dd/<first seq>-<last seq>-<hash of the last entry>.jsonl.gz}, the date
 * being that of its entries (UTC; a batch never spans two days) and the sequence numbers
 * zero-padded to 20 digits so that keys sort as the log does. The key alone is the anchor: a
 * listing of the bucket says which chain head each object ends at, without reading it.
 */
record ShippedBatch(String key, LocalDate day, long firstSeq, long lastSeq, String lastHash) {

  private static final Pattern KEY = Pattern.compile(
      "(?:.*/)?(\\d{4})/(\\d{2})/(\\d{2})/(\\d{20})-(\\d{20})-([0-9a-f]{64})\\.jsonl\\.gz");

  static ShippedBatch of(String prefix, LocalDate day, long firstSeq, long lastSeq, String lastHash) {
    return new ShippedBatch(dayPrefix(prefix, day) + seq(firstSeq) + "-" + seq(lastSeq) + "-" + lastHash + ".jsonl.gz",
        day, firstSeq, lastSeq, lastHash);
  }

  /** The key prefix of every batch that starts at {@code firstSeq} on {@code day}. */
  static String startingAt(String prefix, LocalDate day, long firstSeq) {
    return dayPrefix(prefix, day) + seq(firstSeq) + "-";
  }

  static Optional<ShippedBatch> parse(String key) {
    Matcher m = KEY.matcher(key);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      LocalDate day = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
      return Optional.of(new ShippedBatch(key, day, Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), m.group(6)));
    } catch (RuntimeException notADate) {
      return Optional.empty();
    }
  }

  static LocalDate dayOf(AuditEvent e) {
    return e.occurredAt().atZone(ZoneOffset.UTC).toLocalDate();
  }

  private static String dayPrefix(String prefix, LocalDate day) {
    return prefix + "%04d/%02d/%02d/".formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
  }

  private static String seq(long seq) {
    return "%020d".formatted(seq);
  }
}
