package io.airlock.request;

import io.airlock.request.InvalidRequestException.FieldError;
import java.util.Optional;

/**
 * What a text value of a request may contain. Control characters (C0 except tab, line feed and
 * carriage return; DEL; C1) and Unicode bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) are refused: they hide or reorder what an approver reads in Tasklist, in the
 * API or in the audit log, and forge lines in logs and terminals.
 */
public final class TextRules {

  private TextRules() {}

  /** The error for {@code field} if {@code value} holds a character it may not; empty if fine. */
  public static Optional<FieldError> check(String field, String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      String kind = forbidden(c);
      if (kind != null) {
        return Optional.of(new FieldError(field, String.format("contains a %s (U+%04X) at position %d; remove it",
            kind, (int) c, i)));
      }
    }
    return Optional.empty();
  }

  private static String forbidden(char c) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
      return "control character";
    }
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
      return "Unicode bidirectional control";
    }
    return null;
  }
}
