package io.airlock.aws;

import io.airlock.config.AirlockProperties;
import io.airlock.logging.LogSafe;
import io.airlock.request.AccessGateway;
import io.airlock.request.AccessOperationException;
import io.airlock.request.AccessRejectedException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.awscore.AwsResponse;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.AccountAssignmentOperationStatus;
import software.amazon.awssdk.services.ssoadmin.model.DeleteAccountAssignmentResponse;
import software.amazon.awssdk.services.ssoadmin.model.InstanceMetadata;
import software.amazon.awssdk.services.ssoadmin.model.PermissionSet;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.StatusValues;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;

/**
 * The AWS side of Airlock: IAM Identity Center through the SDK v2. Every HTTP call passes the
 * clients' {@link IdentityCenterQuota} (20 a second) and assignment creations pass a bulkhead
 * (15 in flight; on several nodes each takes its share, {@code airlock.aws.creations-in-flight}); asynchronous operations are polled, first after {@code airlock.aws.first-poll-delay}
 * and then with a bounded backoff, until AWS reports SUCCEEDED or FAILED, never assumed.
 *
 * <p>Grant and revoke go straight to CreateAccountAssignment and DeleteAccountAssignment, with
 * no ListAccountAssignments first: both are idempotent in AWS (creating an assignment that is
 * there, or deleting one that is not, is a request that SUCCEEDS), so a look beforehand would
 * only spend a call of the quota on every grant.
 */
@Component
class IdentityCenterAdapter implements AccessGateway {

  private static final Logger log = LoggerFactory.getLogger(IdentityCenterAdapter.class);
  private static final Duration PERMISSION_SET_CACHE = Duration.ofSeconds(30);

  private final SsoAdminClient ssoAdmin;
  private final IdentitystoreClient identityStore;
  private final OrganizationsClient organizations;
  private final AirlockProperties.Aws settings;
  private final Bulkhead creationsInFlight;
  /** Wait before the second status poll; each later wait doubles, up to {@link #maxPollDelay}. */
  private final Duration nextPollDelay;
  private final Duration maxPollDelay;

  private volatile InstanceMetadata instance;
  private volatile Map<String, String> permissionSetsByName = Map.of();
  private volatile long permissionSetsLoadedAt;

  IdentityCenterAdapter(SsoAdminClient ssoAdmin, IdentitystoreClient identityStore,
      OrganizationsClient organizations, AirlockProperties properties) {
    int creationsInFlight = properties.aws().creationsInFlight();
    Duration nextPollDelay = properties.aws().nextPollDelay();
    Duration maxPollDelay = properties.aws().maxPollDelay();
    if (nextPollDelay.isNegative() || nextPollDelay.isZero() || maxPollDelay.compareTo(nextPollDelay) < 0) {
      throw new IllegalArgumentException("airlock.aws.next-poll-delay must be positive and at most"
          + " airlock.aws.max-poll-delay: " + nextPollDelay + ", " + maxPollDelay);
    }
    this.nextPollDelay = nextPollDelay;
    this.maxPollDelay = maxPollDelay;
    this.ssoAdmin = ssoAdmin;
    this.identityStore = identityStore;
    this.organizations = organizations;
    this.settings = properties.aws();
    this.creationsInFlight = Bulkhead.of("account-assignment-creations", BulkheadConfig.custom()
        .maxConcurrentCalls(creationsInFlight).maxWaitDuration(Duration.ofSeconds(60)).build());
  }

  // ---- look-ups --------------------------------------------------------------------------

  @Override
  public Optional<String> findAccount(String accountId) {
    try {
      return Optional.of(organizations.describeAccount(r -> r.accountId(accountId)).account().name());
    } catch (AwsServiceException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw technical("DescribeAccount", e);
    }
  }

  @Override
  public Optional<String> findUserId(String userName) {
    try {
      return Optional.of(identityStore.getUserId(r -> r.identityStoreId(instance().identityStoreId())
          .alternateIdentifier(a -> a.uniqueAttribute(u -> u.attributePath("userName")
              .attributeValue(Document.fromString(userName))))).userId());
    } catch (AwsServiceException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw technical("GetUserId", e);
    }
  }

  @Override
  public Optional<String> findPermissionSetArn(String name) {
    String arn = permissionSetsByName.get(name);
    if (arn == null && System.currentTimeMillis() - permissionSetsLoadedAt > PERMISSION_SET_CACHE.toMillis()) {
      loadPermissionSets();
      arn = permissionSetsByName.get(name);
    }
    return Optional.ofNullable(arn);
  }

  private synchronized void loadPermissionSets() {
    Map<String, String> byName = new ConcurrentHashMap<>();
    try {
      for (String arn : ssoAdmin.listPermissionSetsPaginator(r -> r.instanceArn(instance().instanceArn()))
          .permissionSets()) {
        PermissionSet ps = ssoAdmin.describePermissionSet(r -> r.instanceArn(instance().instanceArn())
            .permissionSetArn(arn)).permissionSet();
        byName.put(ps.name(), ps.permissionSetArn());
      }
    } catch (SdkException e) {
      throw technical("ListPermissionSets", e);
    }
    permissionSetsByName = byName;
    permissionSetsLoadedAt = System.currentTimeMillis();
  }

  // ---- grant and revoke ------------------------------------------------------------------

  @Override
  public boolean isAssigned(Assignment a) {
    try {
      return ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(instance().instanceArn())
              .accountId(a.accountId()).permissionSetArn(a.permissionSetArn()))
          .accountAssignments().stream()
          .anyMatch(x -> x.principalType() == PrincipalType.USER && a.principalId().equals(x.principalId()));
    } catch (AwsServiceException e) {
      if (isNotFound(e)) {
        throw new AccessRejectedException("AWS: " + e.awsErrorDetails().errorMessage(), e);
      }
      throw technical("ListAccountAssignments", e);
    }
  }

  /**
   * Creates the assignment and waits until AWS reports SUCCEEDED. An assignment that is already
   * there succeeds the same way, so {@code alreadyInPlace} is always false here.
   */
  @Override
  public OperationResult grant(Assignment a) {
    List<String> awsRequestIds = new ArrayList<>();
    try {
      return creationsInFlight.executeSupplier(() -> {
        var created = ssoAdmin.createAccountAssignment(r -> r.instanceArn(instance().instanceArn())
            .targetId(a.accountId()).targetType(TargetType.AWS_ACCOUNT)
            .permissionSetArn(a.permissionSetArn())
            .principalType(PrincipalType.USER).principalId(a.principalId()));
        awsRequestIds.add(requestId(created));
        String operationId = created.accountAssignmentCreationStatus().requestId();
        AccountAssignmentOperationStatus status = poll("CreateAccountAssignment", created.accountAssignmentCreationStatus(),
            () -> {
              var d = ssoAdmin.describeAccountAssignmentCreationStatus(r -> r
                  .instanceArn(instance().instanceArn()).accountAssignmentCreationRequestId(operationId));
              awsRequestIds.add(requestId(d));
              return d.accountAssignmentCreationStatus();
            });
        return new OperationResult(operationId, status.statusAsString(), false, List.copyOf(awsRequestIds));
      });
    } catch (AwsServiceException e) {
      if (isNotFound(e) || "ValidationException".equals(errorCode(e))) {
        throw new AccessRejectedException("AWS rejected the assignment: " + e.awsErrorDetails().errorMessage(), e);
      }
      throw technical("CreateAccountAssignment", e);
    } catch (SdkException e) {
      throw technical("CreateAccountAssignment", e);
    }
  }

  /**
   * Deletes the assignment and waits until AWS reports SUCCEEDED. Deleting an assignment that is
   * not there succeeds in AWS; ResourceNotFoundException (the user, permission set or account is
   * gone, so the access cannot be used) counts as already revoked.
   */
  @Override
  public OperationResult revoke(Assignment a) {
    return revoke(a, null, null);
  }

  /** As {@link #revoke(Assignment)}; {@code due} and {@code trigger} go to {@link AwsMetrics} with the call. */
  @Override
  public OperationResult revoke(Assignment a, java.time.Instant due, String trigger) {
    List<String> awsRequestIds = new ArrayList<>();
    DeleteAccountAssignmentResponse deleted;
    try {
      deleted = ssoAdmin.deleteAccountAssignment(r -> {
        r.instanceArn(instance().instanceArn())
            .targetId(a.accountId()).targetType(TargetType.AWS_ACCOUNT)
            .permissionSetArn(a.permissionSetArn())
            .principalType(PrincipalType.USER).principalId(a.principalId());
        r.overrideConfiguration(o -> {
          o.addPlugin(AwsClientsConfiguration.URGENT_RETRIES);
          if (due != null) {
            o.putExecutionAttribute(AwsMetrics.REVOKE_DUE, due)
                .putExecutionAttribute(AwsMetrics.REVOKE_TRIGGER, trigger == null ? "expiry" : trigger);
          }
        });
      });
    } catch (AwsServiceException e) {
      if (isNotFound(e)) {
        log.info("DeleteAccountAssignment: {}; nothing left to revoke", LogSafe.of(e.awsErrorDetails().errorMessage()));
        return new OperationResult(null, "SUCCEEDED", true, List.of(e.requestId()));
      }
      throw technical("DeleteAccountAssignment", e);
    } catch (SdkException e) {
      throw technical("DeleteAccountAssignment", e);
    }
    awsRequestIds.add(requestId(deleted));
    String operationId = deleted.accountAssignmentDeletionStatus().requestId();
    try {
      AccountAssignmentOperationStatus status = poll("DeleteAccountAssignment", deleted.accountAssignmentDeletionStatus(),
          () -> {
            var d = ssoAdmin.describeAccountAssignmentDeletionStatus(r -> r
                .instanceArn(instance().instanceArn()).accountAssignmentDeletionRequestId(operationId)
                .overrideConfiguration(o -> o.addPlugin(AwsClientsConfiguration.URGENT_RETRIES)));
            awsRequestIds.add(requestId(d));
            return d.accountAssignmentDeletionStatus();
          });
      return new OperationResult(operationId, status.statusAsString(), false, List.copyOf(awsRequestIds));
    } catch (SdkException e) {
      throw technical("DeleteAccountAssignment", e);
    }
  }

  /** What polling needs of any asynchronous Identity Center status (assignment, provisioning). */
  record Progress(StatusValues status, String statusText, String requestId, String failureReason) {

    static Progress of(AccountAssignmentOperationStatus s) {
      return new Progress(s.status(), s.statusAsString(), s.requestId(), s.failureReason());
    }
  }

  private AccountAssignmentOperationStatus poll(String operation, AccountAssignmentOperationStatus first,
      Supplier<AccountAssignmentOperationStatus> describe) {
    return poll(operation, first, Progress::of, describe);
  }

  /**
   * Polls until SUCCEEDED or FAILED, bounded by the time-out: first after the first-poll delay
   * (about as long as AWS takes, so one Describe call is usually enough), then with a backoff
   * from {@code airlock.aws.next-poll-delay} (0.75 s), doubling up to
   * {@code airlock.aws.max-poll-delay} (1.5 s).
   */
  <S> S poll(String operation, S first, java.util.function.Function<S, Progress> progress, Supplier<S> describe) {
    long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
    long waitMillis = Math.max(0, settings.firstPollDelay().toMillis());
    long nextWaitMillis = nextPollDelay.toMillis();
    long maxWaitMillis = maxPollDelay.toMillis();
    S status = first;
    while (true) {
      Progress p = progress.apply(status);
      if (p.status() == StatusValues.SUCCEEDED) {
        return status;
      }
      if (p.status() == StatusValues.FAILED) {
        throw new AccessOperationException("AWS reported " + operation + " " + p.requestId()
            + " FAILED: " + p.failureReason());
      }
      if (System.nanoTime() + waitMillis * 1_000_000 > deadline) {
        throw new AccessOperationException(operation + " " + p.requestId() + " still " + p.statusText()
            + " after " + settings.operationTimeout() + "; will check again on retry");
      }
      sleep(waitMillis);
      waitMillis = nextWaitMillis;
      nextWaitMillis = Math.min(nextWaitMillis * 2, maxWaitMillis);
      status = describe.get();
    }
  }

  // ---- plumbing --------------------------------------------------------------------------

  Duration operationTimeout() {
    return settings.operationTimeout();
  }

  InstanceMetadata instance() {
    InstanceMetadata current = instance;
    if (current == null) {
      synchronized (this) {
        if (instance == null) {
          instance = discoverInstance();
        }
        current = instance;
      }
    }
    return current;
  }

  private InstanceMetadata discoverInstance() {
    List<InstanceMetadata> instances = ssoAdmin.listInstancesPaginator(r -> {}).instances().stream().toList();
    String configured = settings.instanceArn();
    InstanceMetadata found = instances.stream()
        .filter(i -> configured == null || configured.isBlank() || configured.equals(i.instanceArn()))
        .findFirst()
        .orElseThrow(() -> new AccessOperationException(configured == null || configured.isBlank()
            ? "No IAM Identity Center instance found" : "IAM Identity Center instance " + configured + " not found"));
    if (settings.identityStoreId() != null && !settings.identityStoreId().isBlank()) {
      found = found.toBuilder().identityStoreId(settings.identityStoreId()).build();
    }
    log.info("IAM Identity Center instance {} with identity store {}", found.instanceArn(), found.identityStoreId());
    return found;
  }

  private static boolean isNotFound(AwsServiceException e) {
    String code = errorCode(e);
    return code != null && (code.equals("ResourceNotFoundException") || code.endsWith("NotFoundException"));
  }

  static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String requestId(AwsResponse response) {
    return response.responseMetadata().requestId();
  }

  static AccessOperationException technical(String operation, SdkException e) {
    String detail = e instanceof AwsServiceException ase && ase.awsErrorDetails() != null
        ? ase.awsErrorDetails().errorCode() + ": " + ase.awsErrorDetails().errorMessage()
            + " (request " + ase.requestId() + ")"
        : e.getMessage();
    return new AccessOperationException("AWS " + operation + " failed: " + detail, e);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AccessOperationException("Interrupted while waiting for AWS", e);
    }
  }
}
