package io.airlock.slack;

import java.time.Instant;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

/** Where each request's review message is in Slack (table slack_message). */
@Mapper
interface SlackMessageMapper {

  /**
   * @param decidedBy the Airlock user who last decided the request from Slack, or null
   */
  record SlackMessageRow(String requestId, String channel, String ts, Instant postedAt, String decidedBy) {}

  void insert(SlackMessageRow row);

  Optional<SlackMessageRow> find(@Param("requestId") String requestId);

  /** Records who decides the request from Slack, in the transaction of their decision. */
  int decidedInSlack(@Param("requestId") String requestId, @Param("decidedBy") String decidedBy);
}
