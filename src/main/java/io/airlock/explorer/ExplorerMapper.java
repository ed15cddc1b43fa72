package io.airlock.explorer;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface ExplorerMapper {

  /** Airlock's requests that hold access now (or may: being granted with a start, being revoked), filtered. */
  List<Row> liveGrants(@Param("q") Explorer.Query query);

  /** The last scan's assignments joined with names and policies, less those removed since the scan began, filtered. */
  List<Row> scannedAssignments(@Param("q") Explorer.Query query);

  Instant scannedAt();

  /**
   * One assignment; managed policy ARNs joined by newlines as the inventory stores them. The
   * request columns are set for a live grant of Airlock's, null for a scanned assignment.
   */
  record Row(String principalType, String principalId, String principalName, String accountId, String accountName,
      String permissionSetArn, String permissionSetName, String managedPolicies, String inlinePolicy,
      String requestId, String requestStatus, Instant grantEnd, Boolean breakGlass) {

    /** Which assignment in AWS this is: account, permission set and principal. */
    String key() {
      return accountId + "|" + permissionSetArn + "|" + principalType + "|" + principalId;
    }
  }
}
