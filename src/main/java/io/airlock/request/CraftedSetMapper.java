package io.airlock.request;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Airlock's record of every permission set it created (table crafted_permission_set). */
@Mapper
interface CraftedSetMapper {

  record CraftedSet(String arn, String name, String requestId, String accountId, Instant createdAt,
      Instant deletedAt) {}

  @Insert("INSERT INTO crafted_permission_set (arn, name, request_id, account_id, created_at) "
      + "VALUES (#{arn}, #{name}, #{requestId}, #{accountId}, #{createdAt})")
  void insert(CraftedSet set);

  @Update("UPDATE crafted_permission_set SET deleted_at = #{at} WHERE arn = #{arn} AND deleted_at IS NULL")
  int markDeleted(@Param("arn") String arn, @Param("at") Instant at);

  @Select("SELECT arn, name, request_id, account_id, created_at, deleted_at FROM crafted_permission_set "
      + "WHERE request_id = #{requestId} AND deleted_at IS NULL ORDER BY created_at")
  List<CraftedSet> findLiveByRequest(@Param("requestId") String requestId);

  @Select("SELECT arn, name, request_id, account_id, created_at, deleted_at FROM crafted_permission_set "
      + "WHERE deleted_at IS NULL ORDER BY created_at")
  List<CraftedSet> findLive();
}
