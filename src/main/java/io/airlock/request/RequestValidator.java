package io.airlock.request;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.request.InvalidRequestException.FieldError;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks a {@link SubmitRequest} field by field and resolves the names to AWS ids, so that an
 * unknown account, user or permission set is a clear error at submit time and not an incident
 * later. Names are looked up in the inventory of the last scan first, and in AWS only when the
 * inventory lacks them (created since the last scan). A crafted policy is rendered and checked
 * here, so the approver reviews exactly the policy that will be granted. Collects every error,
 * not only the first.
 */
@Component
public class RequestValidator {

  public static final String SYSTEM_AWS = "AWS";
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final Pattern TICKET = Pattern.compile("[A-Za-z0-9._#:/-]{1,64}");

  private final AccessGateway gateway;
  private final CraftingGateway crafting;
  private final InventoryService inventory;
  private final AirlockProperties.Request limits;
  private final String craftPrefix;

  /** How far ahead a start may be scheduled. */
  static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);

  private final java.time.Clock clock;

  public RequestValidator(AccessGateway gateway, CraftingGateway crafting, InventoryService inventory,
      AirlockProperties properties, java.time.Clock clock) {
    this.clock = clock;
    this.gateway = gateway;
    this.crafting = crafting;
    this.inventory = inventory;
    this.limits = properties.request();
    this.craftPrefix = properties.craft().namePrefix();
  }

  /**
   * A request whose fields are valid and whose names resolved in AWS. For a crafted request
   * {@code permission} is {@code craft:<TEMPLATE>}, {@code permissionSetArn} is null (the set is
   * created at grant time) and {@code craftPolicy} is the rendered IAM policy.
   */
  public record ValidRequest(SubmitRequest input, Duration duration, String principalId, String permission,
      String permissionSetArn, String craftTemplate, String craftPolicy, java.time.Instant startAt) {}

  public ValidRequest validate(SubmitRequest in) {
    List<FieldError> errors = new ArrayList<>();
    if (in == null) {
      throw new InvalidRequestException(List.of(new FieldError("body", "a request body is required")));
    }
    textErrors(in, errors);
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors); // no look-ups in AWS for such names
    }
    if (blank(in.system())) {
      errors.add(new FieldError("system", "is required (AWS)"));
    } else if (!SYSTEM_AWS.equals(in.system())) {
      errors.add(new FieldError("system", "unknown system '" + in.system() + "'; supported: AWS"));
    }

    Duration duration = null;
    if (blank(in.duration())) {
      errors.add(new FieldError("duration", "is required, as ISO-8601 (e.g. PT1H)"));
    } else {
      try {
        duration = Duration.parse(in.duration().trim());
        if (duration.compareTo(limits.minDuration()) < 0 || duration.compareTo(limits.maxDuration()) > 0) {
          errors.add(new FieldError("duration", "must be between " + limits.minDuration() + " and "
              + limits.maxDuration() + ", was " + in.duration()));
          duration = null;
        }
      } catch (DateTimeParseException e) {
        errors.add(new FieldError("duration", "'" + in.duration() + "' is not an ISO-8601 duration (e.g. PT1H)"));
      }
    }

    java.time.Instant startAt = null;
    if (!blank(in.startAt())) {
      try {
        startAt = java.time.OffsetDateTime.parse(in.startAt().trim()).toInstant();
        java.time.Instant now = clock.instant();
        if (!startAt.isAfter(now)) {
          errors.add(new FieldError("startAt", "must be in the future, was " + in.startAt()));
        } else if (startAt.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
          errors.add(new FieldError("startAt", "must be within " + MAX_SCHEDULE_AHEAD.toDays() + " days, was "
              + in.startAt()));
        }
      } catch (java.time.format.DateTimeParseException e) {
        errors.add(new FieldError("startAt", "'" + in.startAt() + "' is not an ISO-8601 date-time with an offset "
            + "(e.g. 2026-12-24T09:00:00Z)"));
      }
    }

    if (blank(in.justification())) {
      errors.add(new FieldError("justification", "is required: say why you need the access"));
    } else if (in.justification().length() > limits.maxJustificationLength()) {
      errors.add(new FieldError("justification", "must be at most " + limits.maxJustificationLength()
          + " characters, was " + in.justification().length()));
    }
    if (!blank(in.ticket()) && !TICKET.matcher(in.ticket()).matches()) {
      errors.add(new FieldError("ticket", "must be 1 to 64 letters, digits or . _ # : / -"));
    }

    boolean targetFormatOk = false;
    if (blank(in.target())) {
      errors.add(new FieldError("target", "is required: the 12-digit AWS account id"));
    } else if (!ACCOUNT_ID.matcher(in.target()).matches()) {
      errors.add(new FieldError("target", "must be a 12-digit AWS account id, was '" + in.target() + "'"));
    } else {
      targetFormatOk = true;
    }
    if (blank(in.principal())) {
      errors.add(new FieldError("principal", "is required: the IAM Identity Center user name"));
    }
    String craftPolicy = null;
    String craftTemplate = null;
    if (in.craft() != null) {
      if (!blank(in.permission())) {
        errors.add(new FieldError("permission", "leave empty when asking for a crafted policy (craft is given)"));
      }
      try {
        craftPolicy = crafting.render(in.craft());
        craftTemplate = CraftSpec.Template.valueOf(in.craft().template().trim()).name();
      } catch (InvalidRequestException e) {
        errors.addAll(e.errors());
      }
    } else if (blank(in.permission())) {
      errors.add(new FieldError("permission", "is required: the permission set name (or craft, for a crafted policy)"));
    } else if (in.permission().startsWith(craftPrefix)) {
      errors.add(new FieldError("permission", "'" + in.permission() + "' is a permission set Airlock crafted for "
          + "one request; ask for a crafted policy (craft) instead"));
    }

    // Look up only well-formed names, so malformed input costs no AWS calls.
    String principalId = null;
    String permissionSetArn = null;
    if (targetFormatOk && inventory.findAccount(in.target()).map(Inventory.Account::name)
        .or(() -> gateway.findAccount(in.target())).isEmpty()) {
      errors.add(new FieldError("target", "account " + in.target() + " is not in the organization"));
    }
    if (!blank(in.principal())) {
      Optional<String> user = inventory.findUserByName(in.principal()).map(Inventory.User::userId)
          .or(() -> gateway.findUserId(in.principal()));
      if (user.isEmpty()) {
        errors.add(new FieldError("principal", "no IAM Identity Center user named '" + in.principal() + "'"));
      } else {
        principalId = user.get();
      }
    }
    if (in.craft() == null && !blank(in.permission()) && !in.permission().startsWith(craftPrefix)) {
      Optional<String> arn = inventory.findPermissionSetByName(in.permission()).map(Inventory.PermissionSet::arn)
          .or(() -> gateway.findPermissionSetArn(in.permission()));
      if (arn.isEmpty()) {
        errors.add(new FieldError("permission", "no permission set named '" + in.permission() + "'"));
      } else {
        permissionSetArn = arn.get();
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    String permission = craftTemplate != null
        ? CraftSpec.permissionName(CraftSpec.Template.valueOf(craftTemplate)) : in.permission();
    return new ValidRequest(in, duration, principalId, permission, permissionSetArn, craftTemplate, craftPolicy,
        startAt);
  }

  /** The Identity Center user id of a user name: the inventory first, AWS for names created since the last scan. */
  public Optional<String> principalIdOf(String userName) {
    if (blank(userName)) {
      return Optional.empty();
    }
    return inventory.findUserByName(userName).map(Inventory.User::userId).or(() -> gateway.findUserId(userName));
  }

  private static void textErrors(SubmitRequest in, List<FieldError> errors) {
    String[][] fields = {{"system", in.system()}, {"target", in.target()}, {"principal", in.principal()},
        {"permission", in.permission()}, {"duration", in.duration()}, {"justification", in.justification()},
        {"ticket", in.ticket()}, {"startAt", in.startAt()}};
    for (String[] f : fields) {
      TextRules.check(f[0], f[1]).ifPresent(errors::add);
    }
    CraftSpec craft = in.craft();
    if (craft != null) {
      TextRules.check("craft.template", craft.template()).ifPresent(errors::add);
      TextRules.check("craft.policy", craft.policy()).ifPresent(errors::add);
      for (int i = 0; i < craft.buckets().size(); i++) {
        TextRules.check("craft.buckets[" + i + "]", craft.buckets().get(i)).ifPresent(errors::add);
      }
      for (int i = 0; i < craft.services().size(); i++) {
        TextRules.check("craft.services[" + i + "]", craft.services().get(i)).ifPresent(errors::add);
      }
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
