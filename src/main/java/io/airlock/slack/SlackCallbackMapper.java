package io.airlock.slack;

import java.time.Instant;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

/**
 * The signed callbacks Airlock took in the last minutes (table slack_callback), by a digest of their
 * timestamp and body: the same signed bytes again within the signature's window are a replay, on
 * this node or any other of the cluster.
 */
@Mapper
interface SlackCallbackMapper {

  /** Remembers the callback; a duplicate key (seen already) throws. */
  void remember(@Param("digest") String digest, @Param("seenAt") Instant seenAt);

  /** Forgets those older than {@code before} (their signature's window has closed). */
  int forgetBefore(@Param("before") Instant before);
}
