package io.airlock.aws;

import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.request.AccessOperationException;
import io.airlock.request.AccessRejectedException;
import io.airlock.request.CraftSpec;
import io.airlock.request.CraftingGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.PermissionSetProvisioningStatus;
import software.amazon.awssdk.services.ssoadmin.model.ProvisionTargetType;
import software.amazon.awssdk.services.ssoadmin.model.Tag;

/**
 * Crafted permission sets in IAM Identity Center: {@code CreatePermissionSet} with Airlock's
 * tags, {@code PutInlinePolicyToPermissionSet} with the policy rendered by
 * {@link PolicyTemplates}, {@code ProvisionPermissionSet} polled until SUCCEEDED, and
 * {@code DeletePermissionSet}. The integration role may change only permission sets tagged
 * {@code airlock:managed=true}.
 */
@Component
class CraftedPermissionSets implements CraftingGateway {

  private final SsoAdminClient ssoAdmin;
  private final IdentityCenterAdapter adapter;
  private final PolicyTemplates templates;

  CraftedPermissionSets(SsoAdminClient ssoAdmin, IdentityCenterAdapter adapter, PolicyTemplates templates) {
    this.ssoAdmin = ssoAdmin;
    this.adapter = adapter;
    this.templates = templates;
  }

  @Override
  public String render(CraftSpec spec) {
    return templates.render(spec);
  }

  @Override
  public String create(NewPermissionSet spec, Consumer<String> onCreated) {
    String instanceArn = adapter.instance().instanceArn();
    String arn;
    try {
      arn = ssoAdmin.createPermissionSet(r -> r.instanceArn(instanceArn)
              .name(spec.name())
              .description(spec.description())
              .sessionDuration(spec.sessionDuration())
              .tags(Tag.builder().key(IdentityCenterScanner.TAG_MANAGED).value("true").build(),
                  Tag.builder().key(IdentityCenterScanner.TAG_REQUEST_ID).value(spec.requestId()).build()))
          .permissionSet().permissionSetArn();
    } catch (AwsServiceException e) {
      if ("ServiceQuotaExceededException".equals(code(e)) || "ValidationException".equals(code(e))) {
        throw new AccessRejectedException("AWS refused to create permission set " + spec.name() + ": "
            + e.awsErrorDetails().errorMessage(), e);
      }
      throw technical("CreatePermissionSet", e);
    } catch (SdkException e) {
      throw technical("CreatePermissionSet", e);
    }
    onCreated.accept(arn);
    try {
      ssoAdmin.putInlinePolicyToPermissionSet(r -> r.instanceArn(instanceArn).permissionSetArn(arn)
          .inlinePolicy(spec.policy()));
    } catch (AwsServiceException e) {
      if ("ValidationException".equals(code(e))) {
        throw new AccessRejectedException("AWS refused the crafted policy: " + e.awsErrorDetails().errorMessage(), e);
      }
      throw technical("PutInlinePolicyToPermissionSet", e);
    } catch (SdkException e) {
      throw technical("PutInlinePolicyToPermissionSet", e);
    }
    return arn;
  }

  @Override
  public OperationResult provision(String permissionSetArn, String accountId) {
    String instanceArn = adapter.instance().instanceArn();
    List<String> awsRequestIds = new ArrayList<>();
    try {
      var started = ssoAdmin.provisionPermissionSet(r -> r.instanceArn(instanceArn).permissionSetArn(permissionSetArn)
          .targetType(ProvisionTargetType.AWS_ACCOUNT).targetId(accountId));
      awsRequestIds.add(started.responseMetadata().requestId());
      String operationId = started.permissionSetProvisioningStatus().requestId();
      PermissionSetProvisioningStatus status = adapter.poll("ProvisionPermissionSet",
          started.permissionSetProvisioningStatus(),
          st -> new IdentityCenterAdapter.Progress(st.status(), st.statusAsString(), st.requestId(), st.failureReason()),
          () -> {
            var described = ssoAdmin.describePermissionSetProvisioningStatus(r -> r.instanceArn(instanceArn)
                .provisionPermissionSetRequestId(operationId));
            awsRequestIds.add(described.responseMetadata().requestId());
            return described.permissionSetProvisioningStatus();
          });
      return new OperationResult(operationId, status.statusAsString(), false, List.copyOf(awsRequestIds));
    } catch (AwsServiceException e) {
      if ("ServiceQuotaExceededException".equals(code(e))) {
        throw new AccessRejectedException("AWS refused to provision to account " + accountId + ": "
            + e.awsErrorDetails().errorMessage(), e);
      }
      throw technical("ProvisionPermissionSet", e);
    } catch (SdkException e) {
      throw technical("ProvisionPermissionSet", e);
    }
  }

  @Override
  public boolean exists(String permissionSetArn) {
    try {
      ssoAdmin.describePermissionSet(r -> r.instanceArn(adapter.instance().instanceArn())
          .permissionSetArn(permissionSetArn));
      return true;
    } catch (AwsServiceException e) {
      if ("ResourceNotFoundException".equals(code(e))) {
        return false;
      }
      throw technical("DescribePermissionSet", e);
    }
  }

  @Override
  public boolean delete(String permissionSetArn) {
    try {
      ssoAdmin.deletePermissionSet(r -> r.instanceArn(adapter.instance().instanceArn())
          .permissionSetArn(permissionSetArn));
      return true;
    } catch (AwsServiceException e) {
      if ("ResourceNotFoundException".equals(code(e))) {
        return false;
      }
      throw technical("DeletePermissionSet", e);
    } catch (SdkException e) {
      throw technical("DeletePermissionSet", e);
    }
  }

  @Override
  public List<Assignment> assignmentsOf(String permissionSetArn) {
    String instanceArn = adapter.instance().instanceArn();
    try {
      List<Assignment> result = new ArrayList<>();
      for (String accountId : ssoAdmin.listAccountsForProvisionedPermissionSetPaginator(r -> r
          .instanceArn(instanceArn).permissionSetArn(permissionSetArn)).accountIds()) {
        ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(instanceArn).accountId(accountId)
                .permissionSetArn(permissionSetArn)).accountAssignments().stream()
            .filter(a -> "USER".equals(a.principalTypeAsString()))
            .forEach(a -> result.add(new Assignment(accountId, permissionSetArn, a.principalId())));
      }
      return result;
    } catch (AwsServiceException e) {
      if ("ResourceNotFoundException".equals(code(e))) {
        return List.of();
      }
      throw technical("ListAccountAssignments", e);
    }
  }

  private static String code(AwsServiceException e) {
    return IdentityCenterAdapter.errorCode(e);
  }

  private static AccessOperationException technical(String operation, SdkException e) {
    return IdentityCenterAdapter.technical(operation, e);
  }
}
