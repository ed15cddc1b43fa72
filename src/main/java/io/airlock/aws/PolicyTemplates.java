package io.airlock.aws;

import io.airlock.config.AirlockProperties;
import io.airlock.request.CraftSpec;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.policybuilder.iam.IamAction;
import software.amazon.awssdk.policybuilder.iam.IamEffect;
import software.amazon.awssdk.policybuilder.iam.IamPolicy;
import software.amazon.awssdk.policybuilder.iam.IamResource;
import software.amazon.awssdk.policybuilder.iam.IamStatement;

/**
 * The craft templates, built with the SDK's {@link IamPolicy} model: read-only on named S3
 * buckets, read-only (Describe, Get, List) on a list of services, or a custom document that is
 * parsed and checked like IAM would before it is accepted. Every error names the field.
 */
@Component
class PolicyTemplates {

  /** IAM's limit for the inline policy of a permission set, in characters. */
  static final int MAX_INLINE_POLICY = 32_768;

  private static final String VERSION = "2012-10-17";
  // S3 bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern ACTION = Pattern.compile("[a-z0-9-]+:[A-Za-z0-9*?]+");
  private static final Pattern ARN = Pattern.compile("arn:[a-z-]+:[a-z0-9-]+:[a-z0-9*-]*:(\\d{12}|\\*)?:.+|\\*");

  private final Set<String> readOnlyServices;

  PolicyTemplates(AirlockProperties properties) {
    this.readOnlyServices = Set.copyOf(properties.craft().readOnlyServices());
  }

  String render(CraftSpec spec) {
    List<FieldError> errors = new ArrayList<>();
    CraftSpec.Template template = null;
    if (spec.template() == null || spec.template().isBlank()) {
      errors.add(new FieldError("craft.template", "is required: S3_READ_ONLY, SERVICES_READ_ONLY or CUSTOM"));
    } else {
      try {
        template = CraftSpec.Template.valueOf(spec.template().trim());
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("craft.template", "unknown template '" + spec.template()
            + "'; choose S3_READ_ONLY, SERVICES_READ_ONLY or CUSTOM"));
      }
    }
    String json = null;
    if (template != null) {
      json = switch (template) {
        case S3_READ_ONLY -> s3ReadOnly(spec.buckets(), errors);
        case SERVICES_READ_ONLY -> servicesReadOnly(spec.services(), errors);
        case CUSTOM -> custom(spec.policy(), errors);
      };
    }
    if (json != null && json.getBytes(StandardCharsets.UTF_8).length > MAX_INLINE_POLICY) {
      errors.add(new FieldError(template == CraftSpec.Template.CUSTOM ? "craft.policy" : "craft",
          "the policy is " + json.length() + " characters; a permission set's inline policy may have at most "
              + MAX_INLINE_POLICY));
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    return json;
  }

  private static String s3ReadOnly(List<String> buckets, List<FieldError> errors) {
    if (buckets.isEmpty()) {
      errors.add(new FieldError("craft.buckets", "name at least one S3 bucket"));
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String b : buckets) {
      if (!BUCKET.matcher(b).matches() || b.contains("..")) {
        errors.add(new FieldError("craft.buckets", "'" + b + "' is not an S3 bucket name (3-63 of a-z 0-9 . -)"));
      } else {
        names.add(b);
      }
    }
    if (names.size() != buckets.size()) {
      return null;
    }
    IamStatement.Builder list = IamStatement.builder().sid("ListBuckets").effect(IamEffect.ALLOW)
        .addAction("s3:ListBucket").addAction("s3:GetBucketLocation");
    IamStatement.Builder read = IamStatement.builder().sid("ReadObjects").effect(IamEffect.ALLOW)
        .addAction("s3:GetObject").addAction("s3:GetObjectVersion");
    for (String b : names) {
      list.addResource("arn:aws:s3:::" + b);
      read.addResource("arn:aws:s3:::" + b + "/*");
    }
    return IamPolicy.builder().version(VERSION).addStatement(list.build()).addStatement(read.build()).build().toJson();
  }

  private String servicesReadOnly(List<String> services, List<FieldError> errors) {
    if (services.isEmpty()) {
      errors.add(new FieldError("craft.services", "name at least one service, e.g. ec2"));
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String s : services) {
      if (!readOnlyServices.contains(s)) {
        errors.add(new FieldError("craft.services", "'" + s + "' is not a service Airlock crafts read-only access "
            + "for; choose from " + readOnlyServices.stream().sorted().toList()));
      } else {
        names.add(s);
      }
    }
    if (names.size() != services.size()) {
      return null;
    }
    IamStatement.Builder read = IamStatement.builder().sid("ReadOnly").effect(IamEffect.ALLOW).addResource("*");
    for (String s : names) {
      read.addAction(s + ":Describe*").addAction(s + ":Get*").addAction(s + ":List*");
    }
    return IamPolicy.builder().version(VERSION).addStatement(read.build()).build().toJson();
  }

  /**
   * A custom identity policy: valid JSON in IAM's grammar, version 2012-10-17, no principals
   * (that would be a resource policy), every action {@code service:Action}, every resource an
   * ARN, and no statement that allows everything.
   */
  private static String custom(String document, List<FieldError> errors) {
    if (document == null || document.isBlank()) {
      errors.add(new FieldError("craft.policy", "is required for CUSTOM: an IAM policy document (JSON)"));
      return null;
    }
    IamPolicy policy;
    try {
      policy = IamPolicy.fromJson(document);
    } catch (RuntimeException e) {
      errors.add(new FieldError("craft.policy", "is not an IAM policy document: " + readable(e.getMessage())));
      return null;
    }
    int before = errors.size();
    if (!VERSION.equals(policy.version())) {
      errors.add(new FieldError("craft.policy", "Version must be \"" + VERSION + "\", was "
          + (policy.version() == null ? "missing" : "\"" + policy.version() + "\"")));
    }
    if (policy.statements().isEmpty()) {
      errors.add(new FieldError("craft.policy", "has no Statement"));
    }
    int n = 0;
    for (IamStatement st : policy.statements()) {
      n++;
      String where = "Statement " + n + (st.sid() == null ? "" : " (" + st.sid() + ")") + ": ";
      if (st.effect() == null) {
        errors.add(new FieldError("craft.policy", where + "Effect is required (Allow or Deny)"));
      } else if (!isAllow(st) && !"Deny".equals(st.effect().value())) {
        errors.add(new FieldError("craft.policy", where + "Effect must be Allow or Deny, was " + st.effect().value()));
      }
      if (!st.principals().isEmpty() || !st.notPrincipals().isEmpty()) {
        errors.add(new FieldError("craft.policy", where + "Principal is not allowed in a permission set's policy"));
      }
      if (st.actions().isEmpty() && st.notActions().isEmpty()) {
        errors.add(new FieldError("craft.policy", where + "Action is required"));
      }
      if (st.resources().isEmpty() && st.notResources().isEmpty()) {
        errors.add(new FieldError("craft.policy", where + "Resource is required"));
      }
      for (IamAction a : concat(st.actions(), st.notActions())) {
        if (!ACTION.matcher(a.value()).matches()) {
          errors.add(new FieldError("craft.policy", where + "'" + a.value() + "' is not an action like s3:GetObject"));
        }
      }
      for (IamResource r : concat(st.resources(), st.notResources())) {
        if (!ARN.matcher(r.value()).matches()) {
          errors.add(new FieldError("craft.policy", where + "'" + r.value() + "' is not an ARN or *"));
        }
      }
      if (isAllow(st)) {
        if (!st.notActions().isEmpty()) {
          errors.add(new FieldError("craft.policy", where + "Allow with NotAction grants almost everything; "
              + "list the actions instead"));
        }
        boolean allActions = st.actions().stream().anyMatch(a -> a.value().equals("*"));
        boolean allResources = st.resources().stream().anyMatch(r -> r.value().equals("*"));
        if (allActions && allResources) {
          errors.add(new FieldError("craft.policy", where + "allows every action on every resource; request "
              + "AdministratorAccess through the policy instead of crafting it"));
        }
      }
    }
    return errors.size() > before ? null : policy.toJson();
  }

  private static boolean isAllow(IamStatement st) {
    return st.effect() != null && "Allow".equals(st.effect().value());
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static final java.util.regex.Pattern CLASS_PREFIX =
      java.util.regex.Pattern.compile("^(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*: ");
  private static final java.util.regex.Pattern SOURCE =
      java.util.regex.Pattern.compile("\\s*at \\[Source: [^;]*; line: (\\d+), column: (\\d+)]", java.util.regex.Pattern.DOTALL);

  /**
   * The parser's words for what is wrong, without the class names and source description it puts
   * around them: "Unexpected character ... (line 1, column 3)".
   */
  static String readable(String message) {
    if (message == null || message.isBlank()) {
      return "it cannot be read as JSON";
    }
    String m = message.strip();
    for (java.util.regex.Matcher c = CLASS_PREFIX.matcher(m); c.find(); c = CLASS_PREFIX.matcher(m)) {
      m = m.substring(c.end());
    }
    java.util.regex.Matcher at = SOURCE.matcher(m);
    if (at.find()) {
      m = m.substring(0, at.start()) + " (line " + at.group(1) + ", column " + at.group(2) + ")";
    }
    return m.replace('\n', ' ').strip();
  }
}
