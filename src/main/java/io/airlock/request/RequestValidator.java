package io.airlock.request;

import io.airlock.config.AirlockProperties;
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
 * later. Collects every error, not only the first.
 */
@Component
public class RequestValidator {

  public static final String SYSTEM_AWS = "AWS";
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final Pattern TICKET = Pattern.compile("[A-Za-z0-9._#:/-]{1,64}");

  private final AccessGateway gateway;
  private final AirlockProperties.Request limits;

  public RequestValidator(AccessGateway gateway, AirlockProperties properties) {
    this.gateway = gateway;
    this.limits = properties.request();
  }

  /** A request whose fields are valid and whose names resolved in AWS. */
  public record ValidRequest(SubmitRequest input, Duration duration, String principalId, String permissionSetArn) {}

  public ValidRequest validate(SubmitRequest in) {
    List<FieldError> errors = new ArrayList<>();
    if (in == null) {
      throw new InvalidRequestException(List.of(new FieldError("body", "a request body is required")));
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
    if (blank(in.permission())) {
      errors.add(new FieldError("permission", "is required: the permission set name"));
    }

    // Look up only well-formed names, so malformed input costs no AWS calls.
    String principalId = null;
    String permissionSetArn = null;
    if (targetFormatOk && gateway.findAccount(in.target()).isEmpty()) {
      errors.add(new FieldError("target", "account " + in.target() + " is not in the organization"));
    }
    if (!blank(in.principal())) {
      Optional<String> user = gateway.findUserId(in.principal());
      if (user.isEmpty()) {
        errors.add(new FieldError("principal", "no IAM Identity Center user named '" + in.principal() + "'"));
      } else {
        principalId = user.get();
      }
    }
    if (!blank(in.permission())) {
      Optional<String> arn = gateway.findPermissionSetArn(in.permission());
      if (arn.isEmpty()) {
        errors.add(new FieldError("permission", "no permission set named '" + in.permission() + "'"));
      } else {
        permissionSetArn = arn.get();
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    return new ValidRequest(in, duration, principalId, permissionSetArn);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
