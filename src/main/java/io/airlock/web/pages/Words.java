package io.airlock.web.pages;

import io.airlock.request.RequestLabels;
import io.airlock.request.RequestStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.context.NoSuchMessageException;
import org.springframework.stereotype.Component;

/**
 * How Airlock's pages say things (templates call it as {@code @words}): statuses and audit actions
 * from the message bundle, durations as people say them ("1 h 30 min"), moments in UTC on the
 * server (the page's script shows them in the reader's zone and keeps UTC on hover), accounts by
 * name.
 */
@Component("words")
public class Words {

  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);

  private final MessageSource messages;
  private final RequestLabels labels;
  private final Clock clock;

  Words(MessageSource messages, RequestLabels labels, Clock clock) {
    this.messages = messages;
    this.labels = labels;
    this.clock = clock;
  }

  public String status(RequestStatus status) {
    return status == null ? "" : message("status." + status.name(), status.name().toLowerCase(Locale.ROOT));
  }

  /** What an audit action says about its actor ("approved it"). */
  public String action(String action) {
    return action == null ? "" : message("action." + action, action.replace('.', ' ').replace('-', ' '));
  }

  /** What a timeline entry says its actor did: "approved it", "set the status to “Active”". */
  public String event(String action, java.util.Map<String, Object> details) {
    if ("request.status".equals(action) && details != null
        && details.get("to") instanceof String to) {
      try {
        return "set the status to “" + status(RequestStatus.valueOf(to)) + "”";
      } catch (IllegalArgumentException e) {
        return action(action);
      }
    }
    return action(action);
  }

  /** "1 h 30 min" for "PT1H30M"; the text as it is when it is no duration. */
  public String duration(String iso) {
    if (iso == null || iso.isBlank()) {
      return "";
    }
    try {
      return RequestLabels.human(Duration.parse(iso));
    } catch (java.time.format.DateTimeParseException e) {
      return iso;
    }
  }

  public String duration(Duration d) {
    return d == null ? "" : RequestLabels.human(d);
  }

  /** "1 h · until 15:30 UTC" for an extension choice. */
  public String extensionChoice(io.airlock.request.ExtensionOptions.Option o) {
    return o.describe(java.time.ZoneOffset.UTC, clock.instant());
  }

  /** "extend live access from 14:30 UTC to 15:12 UTC (+42 min)", or "" when the request extends nothing. */
  public String extension(io.airlock.request.AccessRequest r) {
    io.airlock.request.AccessRequest.Extension e = r == null ? null : r.extension();
    return e == null ? "" : e.describe(java.time.ZoneOffset.UTC, clock.instant());
  }

  /** "2 h 5 min" from now until {@code at}, or "0 min" once it has passed. */
  public String until(Instant at) {
    if (at == null) {
      return "";
    }
    Duration left = Duration.between(clock.instant(), at);
    return left.isNegative() ? "0 min" : RequestLabels.human(Duration.ofMinutes((left.toSeconds() + 59) / 60));
  }

  /** A moment as the server writes it, in UTC ("7 Dec 2026 14:30 UTC"); the page shows it in the reader's zone. */
  public String utc(Instant at) {
    return at == null ? "" : UTC.format(at);
  }

  /** The ISO form for {@code <time datetime>}. */
  public String iso(Instant at) {
    return at == null ? "" : at.toString();
  }

  /** "staging (333333333333)". */
  public String account(String accountId) {
    return accountId == null ? "" : labels.account(accountId);
  }

  private String message(String code, String fallback) {
    try {
      return messages.getMessage(code, null, Locale.ENGLISH);
    } catch (NoSuchMessageException e) {
      return fallback;
    }
  }
}
