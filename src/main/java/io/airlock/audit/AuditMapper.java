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

  record ChainHead(long lastSeq, String lastHash) {}
}
