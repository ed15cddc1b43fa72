package io.airlock.membership;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The {@code membership_change} table (V89). */
@Mapper
interface MembershipChangeMapper {

  String COLUMNS = "id, user_id, group_id, change_kind AS change, reason, requested_by, requested_at, status, "
      + "decided_by, decided_at, decision_comment, changed_at, process_instance_id";

  @Insert("INSERT INTO membership_change (id, user_id, group_id, change_kind, reason, requested_by, requested_at, "
      + "status) VALUES (#{id}, #{userId}, #{groupId}, #{change}, #{reason}, #{requestedBy}, #{requestedAt}, #{status})")
  void insert(MembershipChange change);

  @Select("SELECT " + COLUMNS + " FROM membership_change WHERE id = #{id}")
  MembershipChange find(String id);

  /** The row, locked for the rest of the transaction: one decision, one change. */
  @Select("SELECT " + COLUMNS + " FROM membership_change WHERE id = #{id} FOR UPDATE")
  MembershipChange lock(String id);

  @Select("SELECT " + COLUMNS + " FROM membership_change WHERE status = 'PENDING_REVIEW' AND user_id = #{user} "
      + "AND group_id = #{group}")
  List<MembershipChange> pending(@Param("user") String user, @Param("group") String group);

  @Select("SELECT " + COLUMNS + " FROM membership_change ORDER BY requested_at DESC LIMIT #{limit}")
  List<MembershipChange> newest(int limit);

  @Update("UPDATE membership_change SET process_instance_id = #{instance} WHERE id = #{id}")
  void bind(@Param("id") String id, @Param("instance") String instance);

  @Update("UPDATE membership_change SET status = #{status}, decided_by = #{by}, decided_at = #{at}, "
      + "decision_comment = #{comment} WHERE id = #{id} AND status = 'PENDING_REVIEW'")
  int decide(@Param("id") String id, @Param("status") String status, @Param("by") String by,
      @Param("at") Instant at, @Param("comment") String comment);

  @Update("UPDATE membership_change SET status = 'CHANGED', changed_at = #{at} WHERE id = #{id} AND status = 'APPROVED'")
  int changed(@Param("id") String id, @Param("at") Instant at);
}
