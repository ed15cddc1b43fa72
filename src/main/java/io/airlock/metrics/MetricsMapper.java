package io.airlock.metrics;

import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** Counts the gauges read, straight from Airlock's table (every node sees the same numbers). */
@Mapper
interface MetricsMapper {

  @Select("SELECT COUNT(*) FROM access_request WHERE status = #{status}")
  long countByStatus(@Param("status") String status);
}
