package io.airlock.explorer;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface ExplorerMapper {

  /** The inventory's assignments joined with names, policies and the request holding each, filtered. */
  List<Row> mappings(@Param("q") Explorer.Query query);

  Instant scannedAt();

  /** One assignment; managed policy ARNs joined by newlines as the inventory stores them. */
  record Row(String principalType, String principalId, String principalName, String accountId, String accountName,
      String permissionSetArn, String permissionSetName, String managedPolicies, String inlinePolicy,
      String requestId, Instant grantEnd) {}
}
