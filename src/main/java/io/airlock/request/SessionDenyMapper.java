package io.airlock.request;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

/** The denies in force that end sessions after a revoke (table session_deny), and the per-set lock. */
@Mapper
interface SessionDenyMapper {

  record SessionDenyRow(String permissionSetArn, String accountId, String principalId, String requestId,
      Instant issuedBefore, Instant placedAt, Instant expiresAt) {}

  /** Creates the permission set's lock row unless it exists. */
  void ensureLock(@Param("permissionSetArn") String permissionSetArn);

  /** Locks the permission set's inline policy for the rest of the transaction. */
  int lock(@Param("permissionSetArn") String permissionSetArn);

  Optional<SessionDenyRow> lockRow(@Param("permissionSetArn") String permissionSetArn,
      @Param("accountId") String accountId, @Param("principalId") String principalId);

  void insert(SessionDenyRow row);

  void update(SessionDenyRow row);

  void delete(@Param("permissionSetArn") String permissionSetArn, @Param("accountId") String accountId,
      @Param("principalId") String principalId);

  /** Denies whose time is up at {@code at}, oldest first. */
  List<SessionDenyRow> findExpired(@Param("at") Instant at, @Param("limit") int limit);
}
