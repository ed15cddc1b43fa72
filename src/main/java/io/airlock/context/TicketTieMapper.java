package io.airlock.context;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Access tied to the ticket it names (table request_ticket). */
@Mapper
interface TicketTieMapper {

  record Tie(String requestId, String reference, String provider, Instant tiedAt) {}

  @Insert("INSERT INTO request_ticket (request_id, reference, provider, tied_at) "
      + "VALUES (#{requestId}, #{reference}, #{provider}, #{tiedAt})")
  void insert(Tie tie);

  @Select("SELECT count(*) FROM request_ticket WHERE request_id = #{requestId}")
  int count(@Param("requestId") String requestId);

  /** The ties of access that is active now and whose ticket was not yet found resolved. */
  @Select("SELECT t.request_id, t.reference, t.provider, t.tied_at FROM request_ticket t "
      + "JOIN access_request r ON r.id = t.request_id "
      + "WHERE t.resolved_at IS NULL AND r.status = 'ACTIVE' ORDER BY t.reference, t.tied_at")
  List<Tie> findActive();

  @Update("UPDATE request_ticket SET checked_at = #{at} WHERE reference = #{reference} AND resolved_at IS NULL")
  int checked(@Param("reference") String reference, @Param("at") Instant at);

  @Update("UPDATE request_ticket SET resolved_at = #{at}, checked_at = #{at} "
      + "WHERE request_id = #{requestId} AND resolved_at IS NULL")
  int resolved(@Param("requestId") String requestId, @Param("at") Instant at);
}
