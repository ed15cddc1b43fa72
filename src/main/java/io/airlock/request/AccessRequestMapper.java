package io.airlock.request;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface AccessRequestMapper {

  void insert(AccessRequest request);

  Optional<AccessRequest> findById(@Param("id") String id);

  /** Row-locks the request for the rest of the transaction. */
  Optional<AccessRequest> lockById(@Param("id") String id);

  List<AccessRequest> findAll(@Param("requester") String requester, @Param("limit") int limit);

  void update(AccessRequest request);

  /** Requests filed by {@code requester} or for {@code principal} (an Identity Center user name), in these states. */
  List<AccessRequest> findForPerson(@Param("requester") String requester, @Param("principal") String principal,
      @Param("statuses") java.util.Collection<RequestStatus> statuses, @Param("limit") int limit);

  /** ACTIVE requests ending before {@code before} whose principal was not told yet. */
  List<AccessRequest> findEndingUntold(@Param("before") java.time.Instant before);

  /** Claims the ending-soon notice of one request; 1 for the node that claimed it, 0 for others. */
  int claimEndingNotice(@Param("id") String id, @Param("at") java.time.Instant at);

  List<AccessRequest> findByStatus(@Param("statuses") java.util.Collection<RequestStatus> statuses);

  /** Other requests whose grant of the same assignment is still in force at {@code at}. */
  List<String> findOtherActiveGrants(@Param("id") String id, @Param("target") String target,
      @Param("principalId") String principalId, @Param("permissionSetArn") String permissionSetArn,
      @Param("at") Instant at);

  /** Requests that may hold the assignment now (GRANTING, ACTIVE, REVOKING). */
  List<String> findHolders(@Param("target") String target, @Param("principalId") String principalId,
      @Param("permissionSetArn") String permissionSetArn);

  /** The last request that was granted the assignment and has ended, if any. */
  Optional<String> findLastEndedGrant(@Param("target") String target, @Param("principalId") String principalId,
      @Param("permissionSetArn") String permissionSetArn);

  /** Creates the assignment's lock row unless it exists (no error when it does). */
  void ensureAssignmentLock(@Param("target") String target, @Param("principalId") String principalId,
      @Param("permissionSetArn") String permissionSetArn);

  /** Locks the assignment for the rest of the transaction: grant and revoke of it take turns. */
  int lockAssignment(@Param("target") String target, @Param("principalId") String principalId,
      @Param("permissionSetArn") String permissionSetArn);

  @org.apache.ibatis.annotations.Insert("INSERT INTO request_approval (request_id, approver, approved_at) "
      + "VALUES (#{requestId}, #{approver}, #{at})")
  void insertApproval(@Param("requestId") String requestId, @Param("approver") String approver, @Param("at") Instant at);

  @org.apache.ibatis.annotations.Select("SELECT approver FROM request_approval WHERE request_id = #{requestId} "
      + "ORDER BY approved_at, approver")
  List<String> findApprovers(@Param("requestId") String requestId);
}
