package io.airlock.activity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface ActivityMapper {

  /** What a fetch needs of a request (read from Airlock's request table). */
  record Grant(String id, String target, String principal, String status, Instant grantStart, Instant grantEnd,
      Instant revokedAt, Boolean breakGlass) {}

  Optional<Grant> grant(@Param("id") String id);

  /** Locks the request's row for the rest of the transaction: one fetch of a request stores at a time. */
  String lockRequest(@Param("id") String id);

  Optional<SessionActivity.Summary> summary(@Param("id") String id);

  List<ActivityEvent> events(@Param("id") String id);

  void deleteEvents(@Param("id") String id);

  void insertEvent(@Param("requestId") String requestId, @Param("e") ActivityEvent event);

  void deleteSummary(@Param("id") String id);

  void insertSummary(SessionActivity.Summary summary);

  /**
   * Requests whose activity is due: the grant ended (or is an active break-glass grant) no
   * earlier than {@code oldest} (CloudTrail keeps 90 days), and the activity was never fetched,
   * or is incomplete and was fetched before {@code refetchBefore} ({@code retryErrorsBefore}
   * when the last fetch failed).
   */
  List<String> due(@Param("oldest") Instant oldest, @Param("refetchBefore") Instant refetchBefore,
      @Param("retryErrorsBefore") Instant retryErrorsBefore, @Param("limit") int limit);
}
