package io.airlock.aws;

import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.request.AccessOperationException;
import io.airlock.request.SessionGateway;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.policybuilder.iam.IamAction;
import software.amazon.awssdk.policybuilder.iam.IamConditionOperator;
import software.amazon.awssdk.policybuilder.iam.IamEffect;
import software.amazon.awssdk.policybuilder.iam.IamPolicy;
import software.amazon.awssdk.policybuilder.iam.IamResource;
import software.amazon.awssdk.policybuilder.iam.IamStatement;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * Ends a user's live sessions of a permission set Airlock manages, as AWS documents it for IAM
 * Identity Center: an explicit {@code Deny *} in the set's inline policy for
 * {@code identitystore:userId}, limited to the account ({@code aws:PrincipalAccount}) and to
 * sessions issued before the revoke ({@code aws:TokenIssueTime}), then provisioned to the
 * account. Every other statement of the inline policy stays as it is. Built with the SDK's
 * {@link IamPolicy} model. The integration role may change only sets tagged
 * {@code airlock:managed=true}; Airlock asks the tag first and never calls for another set.
 */
@Component
class SessionDenies implements SessionGateway {

  static final String VERSION = "2012-10-17";
  /** AWS's limit on a permission set's inline policy, in characters. */
  static final int MAX_INLINE_POLICY = 32_768;

  private final SsoAdminClient ssoAdmin;
  private final IdentityCenterAdapter adapter;
  private final CraftedPermissionSets provisioning;

  SessionDenies(SsoAdminClient ssoAdmin, IdentityCenterAdapter adapter, CraftedPermissionSets provisioning) {
    this.ssoAdmin = ssoAdmin;
    this.adapter = adapter;
    this.provisioning = provisioning;
  }

  @Override
  public Optional<PermissionSetFacts> describe(String permissionSetArn) {
    String instanceArn = adapter.instance().instanceArn();
    try {
      boolean managed = ssoAdmin.listTagsForResourcePaginator(r -> r.instanceArn(instanceArn)
              .resourceArn(permissionSetArn)).tags().stream()
          .anyMatch(t -> IdentityCenterScanner.TAG_MANAGED.equals(t.key()) && "true".equals(t.value()));
      String duration = ssoAdmin.describePermissionSet(r -> r.instanceArn(instanceArn)
          .permissionSetArn(permissionSetArn)).permissionSet().sessionDuration();
      return Optional.of(new PermissionSetFacts(managed, sessionDuration(duration)));
    } catch (AwsServiceException e) {
      if (notFound(e)) {
        return Optional.empty();
      }
      throw IdentityCenterAdapter.technical("DescribePermissionSet", e);
    } catch (SdkException e) {
      throw IdentityCenterAdapter.technical("DescribePermissionSet", e);
    }
  }

  /** The set's session duration; AWS's default of one hour when it has none, the maximum of 12 when unreadable. */
  static Duration sessionDuration(String iso) {
    if (iso == null || iso.isBlank()) {
      return Duration.ofHours(1);
    }
    try {
      return Duration.parse(iso);
    } catch (DateTimeParseException e) {
      return Duration.ofHours(12);
    }
  }

  @Override
  public OperationResult putDeny(SessionDeny deny) {
    IamPolicy current;
    try {
      current = inlinePolicy(deny.permissionSetArn());
    } catch (SetGone gone) {
      return GONE;
    }
    List<IamStatement> statements = new ArrayList<>();
    if (current != null) {
      current.statements().stream().filter(s -> !deny.sid().equals(s.sid())).forEach(statements::add);
    }
    statements.add(statement(deny));
    String document = IamPolicy.builder().version(current == null || current.version() == null ? VERSION
        : current.version()).statements(statements).build().toJson();
    if (document.length() > MAX_INLINE_POLICY) {
      throw new AccessOperationException("The inline policy of permission set " + deny.permissionSetArn()
          + " would be " + document.length() + " characters with the session deny for " + deny.principalId()
          + ", over AWS's " + MAX_INLINE_POLICY + "; nothing was changed (too many denies in force, or the set's own"
          + " statements are too large)");
    }
    try {
      ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(adapter.instance().instanceArn())
          .permissionSetArn(deny.permissionSetArn()).inlinePolicy(document));
    } catch (SdkException e) {
      throw IdentityCenterAdapter.technical("PutInlinePolicyToPermissionSet", e);
    }
    return provisioning.provision(deny.permissionSetArn(), deny.accountId());
  }

  @Override
  public OperationResult removeDeny(SessionDeny deny) {
    String instanceArn = adapter.instance().instanceArn();
    IamPolicy current;
    try {
      current = inlinePolicy(deny.permissionSetArn());
    } catch (SetGone gone) {
      return GONE;
    }
    if (current == null || current.statements().stream().noneMatch(s -> deny.sid().equals(s.sid()))) {
      return new OperationResult(null, "SUCCEEDED", true, List.of());
    }
    List<IamStatement> rest = current.statements().stream().filter(s -> !deny.sid().equals(s.sid())).toList();
    try {
      if (rest.isEmpty()) {
        ssoAdmin.deleteInlinePolicyFromPermissionSet(r -> r.instanceArn(instanceArn)
            .permissionSetArn(deny.permissionSetArn()));
      } else {
        String document = current.copy(b -> b.statements(rest)).toJson();
        ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(instanceArn)
            .permissionSetArn(deny.permissionSetArn()).inlinePolicy(document));
      }
      boolean provisioned = ssoAdmin.listAccountsForProvisionedPermissionSetPaginator(r -> r.instanceArn(instanceArn)
          .permissionSetArn(deny.permissionSetArn())).accountIds().stream().anyMatch(deny.accountId()::equals);
      if (!provisioned) {
        return new OperationResult(null, "SUCCEEDED", false, List.of());
      }
    } catch (SdkException e) {
      throw IdentityCenterAdapter.technical("PutInlinePolicyToPermissionSet", e);
    }
    return provisioning.provision(deny.permissionSetArn(), deny.accountId());
  }

  /** The deny statement: every action, for this user's sessions in this account (issued before the time). */
  static IamStatement statement(SessionDeny deny) {
    IamStatement.Builder s = IamStatement.builder()
        .sid(deny.sid())
        .effect(IamEffect.DENY)
        .addAction(IamAction.ALL)
        .addResource(IamResource.ALL)
        .addCondition(IamConditionOperator.STRING_EQUALS, "identitystore:userId", deny.principalId())
        .addCondition(IamConditionOperator.STRING_EQUALS, "aws:PrincipalAccount", deny.accountId());
    if (deny.issuedBefore() != null) {
      s.addCondition(IamConditionOperator.DATE_LESS_THAN, "aws:TokenIssueTime", issueTime(deny.issuedBefore()));
    }
    return s.build();
  }

  /** Whole seconds, rounded up: a session issued in the revoke's last fraction of a second is still before it. */
  static String issueTime(Instant at) {
    Instant seconds = at.truncatedTo(ChronoUnit.SECONDS);
    return (seconds.equals(at) ? seconds : seconds.plusSeconds(1)).toString();
  }

  /** The set's inline policy, null when it has none. */
  private IamPolicy inlinePolicy(String permissionSetArn) {
    String document;
    try {
      document = ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(adapter.instance().instanceArn())
          .permissionSetArn(permissionSetArn)).inlinePolicy();
    } catch (AwsServiceException e) {
      if (notFound(e)) {
        throw new SetGone();
      }
      throw IdentityCenterAdapter.technical("GetInlinePolicyForPermissionSet", e);
    } catch (SdkException e) {
      throw IdentityCenterAdapter.technical("GetInlinePolicyForPermissionSet", e);
    }
    return document == null || document.isBlank() ? null : IamPolicy.fromJson(document);
  }

  /** Nothing to do: the permission set no longer exists, nor do its sessions' permissions. */
  private static final OperationResult GONE = new OperationResult(null, "PERMISSION_SET_GONE", true, List.of());

  private static final class SetGone extends RuntimeException {
    SetGone() {
      super(null, null, false, false);
    }
  }

  private static boolean notFound(AwsServiceException e) {
    return "ResourceNotFoundException".equals(IdentityCenterAdapter.errorCode(e));
  }
}
