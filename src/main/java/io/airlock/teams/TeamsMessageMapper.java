package io.airlock.teams;

import java.time.Instant;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

/** Where each request's review card is in Teams (table teams_message), and the activities already handled (teams_activity). */
@Mapper
interface TeamsMessageMapper {

  /**
   * @param decidedBy the Airlock user who last decided the request from Teams, or null
   */
  record TeamsMessageRow(String requestId, String serviceUrl, String conversationId, String activityId,
      Instant postedAt, String decidedBy) {}

  void insert(TeamsMessageRow row);

  Optional<TeamsMessageRow> find(@Param("requestId") String requestId);

  /** Records who decides the request from Teams, in the transaction of their decision. */
  int decidedInTeams(@Param("requestId") String requestId, @Param("decidedBy") String decidedBy);

  /** Marks an incoming activity handled; a second insert of the same id fails (a replay). */
  void handled(@Param("activityId") String activityId, @Param("receivedAt") Instant receivedAt);

  /** Forgets activities older than any token that could carry them again. */
  int forgetHandledBefore(@Param("before") Instant before);
}
