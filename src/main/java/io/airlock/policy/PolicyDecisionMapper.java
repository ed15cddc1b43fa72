package io.airlock.policy;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface PolicyDecisionMapper {

  void insert(Row row);

  List<Row> forRequest(@Param("requestId") String requestId);

  /** The last {@code limit} evaluations of {@code decisionKey}, newest first. */
  List<Row> latest(@Param("decisionKey") String decisionKey, @Param("limit") int limit);

  /** The evaluations of {@code decisionKey} for these requests. */
  List<Row> forRequests(@Param("decisionKey") String decisionKey, @Param("requestIds") List<String> requestIds);

  /** A stored evaluation; variables, matched rules and outputs as JSON. */
  record Row(String id, String requestId, String decisionKey, String decisionDefinitionId, Integer decisionVersion,
      Instant evaluatedAt, String variables, String matchedRules, String outputs) {}
}
