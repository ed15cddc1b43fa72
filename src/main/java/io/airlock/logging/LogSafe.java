package io.airlock.logging;

/**
 * Values from outside (users, AWS error messages) as they go into a log line: CR, LF and other
 * control characters become visible escapes ({@code \n}, {@code \u001b}), so a value cannot
 * start a forged line or move a terminal's cursor.
 */
public final class LogSafe {

  private LogSafe() {}

  public static String of(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value.toString();
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        out.append(escape != null ? escape : String.valueOf(c));
      }
    }
    return out == null ? s : out.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      default:
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
            || c == 0x2028 || c == 0x2029 || c == 0x85) {
          return String.format("\\u%04x", (int) c);
        }
        return null;
    }
  }
}
