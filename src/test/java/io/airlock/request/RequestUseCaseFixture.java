package io.airlock.request;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.airlock.audit.AuditLog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The use cases of a request on fake ports: the request table a map, AWS a mock that answers
 * what the test says, the audit log a list of what was recorded. Fast: no engine, no database.
 */
class RequestUseCaseFixture {

  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  static final String ARN = "arn:aws:sso:::permissionSet/ssoins-1/ps-1";

  final Map<String, AccessRequest> table = new LinkedHashMap<>();
  final List<String> recorded = new ArrayList<>();
  final List<Map<String, Object>> details = new ArrayList<>();
  final AccessRequestMapper requests = mock(AccessRequestMapper.class);
  final AccessGateway gateway = mock(AccessGateway.class);
  final AuditLog audit = mock(AuditLog.class);
  final NodeClock nodeClock = mock(NodeClock.class);
  final SessionTermination sessions = mock(SessionTermination.class);
  final CraftedPermissions crafted = mock(CraftedPermissions.class);
  final ApplicationEventPublisher events = mock(ApplicationEventPublisher.class);
  final PrincipalMapping principals = mock(PrincipalMapping.class);
  final StepUp stepUp = mock(StepUp.class);
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final RequestCore core = new RequestCore(requests, mock(RequestValidator.class), gateway, audit, crafted,
      principals, clock, sessions, events, nodeClock);

  RequestUseCaseFixture() {
    when(requests.lockById(any())).thenAnswer(i -> Optional.ofNullable(table.get(i.<String>getArgument(0))));
    when(requests.findById(any())).thenAnswer(i -> Optional.ofNullable(table.get(i.<String>getArgument(0))));
    when(requests.findOtherActiveGrants(any(), any(), any(), any(), any())).thenReturn(List.of());
    when(gateway.revoke(any())).thenReturn(new AccessGateway.OperationResult("op-1", "SUCCEEDED", false, List.of("r-1")));
    when(gateway.revoke(any(), any(), any())).thenReturn(
        new AccessGateway.OperationResult("op-1", "SUCCEEDED", false, List.of("r-1")));
    org.mockito.Mockito.doAnswer(i -> {
      recorded.add(i.getArgument(1) + " " + i.getArgument(2));
      details.add(new LinkedHashMap<String, Object>(i.<Map<String, Object>>getArgument(3)));
      return null;
    }).when(audit).record(any(), any(), any(), any());
    org.mockito.Mockito.doAnswer(i -> {
      recorded.add(i.getArgument(1) + " " + i.getArgument(2));
      details.add(new LinkedHashMap<String, Object>(i.<Map<String, Object>>getArgument(3)));
      return null;
    }).when(audit).refused(any(), any(), any(), any());
  }

  /** A request in {@code status} on account 111111111111 for principal u-1, bound to instance pi-1. */
  AccessRequest request(String id, RequestStatus status) {
    AccessRequest r = new AccessRequest();
    r.setId(id);
    r.setStatus(status);
    r.setTarget("111111111111");
    r.setPrincipal("alice");
    r.setPrincipalId("u-1");
    r.setPermission("ReadOnlyAccess");
    r.setPermissionSetArn(ARN);
    r.setProcessInstanceId("pi-1");
    r.setRequester("alice");
    r.setGrantStart(NOW.minusSeconds(3600));
    r.setGrantEnd(NOW.plusSeconds(3600));
    table.put(id, r);
    return r;
  }

  AccessGateway.Assignment assignment() {
    return new AccessGateway.Assignment("111111111111", ARN, "u-1");
  }
}
