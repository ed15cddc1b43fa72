package io.airlock.web.pages;

import io.airlock.request.SubmitRequest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The new-request form as the page posts it. A later start comes as the reader's local date and
 * time with their offset from UTC in minutes (the page's script fills it; UTC without script).
 */
public class RequestForm {

  private String target;
  private String permission;
  private String duration;
  private String principal;
  private String justification;
  private String ticket;
  private String when = "now";
  private String startAtLocal;
  private Integer zoneOffset;
  private boolean breakGlass;
  private String buckets;
  private String services;
  private String policy;

  SubmitRequest toSubmit() {
    String p = blankToNull(permission);
    io.airlock.request.CraftSpec craft = null;
    if (p != null && p.startsWith("craft:")) {
      // A crafted permission: Airlock builds the permission set from the template and these values.
      craft = new io.airlock.request.CraftSpec(p.substring("craft:".length()), list(buckets), list(services),
          blankToNull(policy));
      p = null;
    }
    return new SubmitRequest("AWS", blankToNull(target), blankToNull(principal), p,
        blankToNull(duration), justification, blankToNull(ticket), craft, startAt(), breakGlass ? Boolean.TRUE : null);
  }

  /** Names given one a line or separated by commas. */
  private static java.util.List<String> list(String text) {
    return text == null ? java.util.List.of() : java.util.Arrays.stream(text.split("[,\\s]+"))
        .filter(x -> !x.isBlank()).toList();
  }

  /** The start as the API takes it (an ISO instant), null for "now"; the text as it is when it is no date. */
  String startAt() {
    if (!"later".equals(when)) {
      return null;
    }
    if (startAtLocal == null || startAtLocal.isBlank()) {
      throw new io.airlock.request.InvalidRequestException(java.util.List.of(new io.airlock.request.InvalidRequestException
          .FieldError("startAt", "choose the date and time the access should start, or choose “As soon as it is approved”")));
    }
    try {
      int offset = zoneOffset == null ? 0 : Math.max(-18 * 60, Math.min(18 * 60, zoneOffset));
      return LocalDateTime.parse(startAtLocal).toInstant(ZoneOffset.ofTotalSeconds(offset * 60)).toString();
    } catch (DateTimeParseException e) {
      return startAtLocal;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  public String getTarget() { return target; }
  public void setTarget(String target) { this.target = target; }
  public String getPermission() { return permission; }
  public void setPermission(String permission) { this.permission = permission; }
  public String getDuration() { return duration; }
  public void setDuration(String duration) { this.duration = duration; }
  public String getPrincipal() { return principal; }
  public void setPrincipal(String principal) { this.principal = principal; }
  public String getJustification() { return justification; }
  public void setJustification(String justification) { this.justification = justification; }
  public String getTicket() { return ticket; }
  public void setTicket(String ticket) { this.ticket = ticket; }
  public String getWhen() { return when; }
  public void setWhen(String when) { this.when = when; }
  public String getStartAtLocal() { return startAtLocal; }
  public void setStartAtLocal(String startAtLocal) { this.startAtLocal = startAtLocal; }
  public Integer getZoneOffset() { return zoneOffset; }
  public void setZoneOffset(Integer zoneOffset) { this.zoneOffset = zoneOffset; }
  public boolean isBreakGlass() { return breakGlass; }
  public String getBuckets() { return buckets; }
  public void setBuckets(String buckets) { this.buckets = buckets; }
  public String getServices() { return services; }
  public void setServices(String services) { this.services = services; }
  public String getPolicy() { return policy; }
  public void setPolicy(String policy) { this.policy = policy; }
  public void setBreakGlass(boolean breakGlass) { this.breakGlass = breakGlass; }
}
