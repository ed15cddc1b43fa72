package io.airlock.request;

import java.time.OffsetDateTime;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

/** The database's clock, the one clock every node of a cluster shares. */
@Mapper
interface ClockMapper {

  /** The database's time now; run in a transaction of its own (PostgreSQL and H2 fix it at a transaction's start). */
  @Select("SELECT CURRENT_TIMESTAMP")
  OffsetDateTime now();
}
