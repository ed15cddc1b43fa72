package io.airlock.audit;

import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface AuditMapper {

  /** Locks the chain head for the rest of the transaction. */
  ChainHead lockHead();

  void insert(AuditEvent event);

  void moveHead(@Param("seq") long seq, @Param("hash") String hash);

  List<AuditEvent> findByRequest(@Param("requestId") String requestId);

  List<AuditEvent> findRange(@Param("fromSeq") long fromSeq, @Param("limit") int limit);

  /** Entries after {@code q.after()} matching every given filter, oldest first, at most {@code q.limit()}. */
  List<AuditEvent> search(@Param("q") AuditLog.Query q);

  /** Entries before {@code q.before()} (0: from the newest) matching every given filter, newest first, at most {@code q.limit()}. */
  List<AuditEvent> searchNewest(@Param("q") AuditLog.Newest q);

  record ChainHead(long lastSeq, String lastHash) {}

  /** The chain head, without a lock (for the shipping lag). */
  long headSeq();

  /** The shipping checkpoint, locked for the rest of the transaction. */
  Checkpoint lockCheckpoint();

  /** The shipping checkpoint, without a lock. */
  Checkpoint checkpoint();

  void moveCheckpoint(@Param("seq") long seq, @Param("hash") String hash, @Param("key") String key,
      @Param("at") java.time.Instant at);

  /** How far the log is in the archive: last entry and its hash, the object that ends there, when. */
  record Checkpoint(long lastSeq, String lastHash, String lastKey, java.time.Instant shippedAt) {}
}
