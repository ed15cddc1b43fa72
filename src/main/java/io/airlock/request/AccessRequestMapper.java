package io.airlock.request;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface AccessRequestMapper {

  void insert(AccessRequest request);

  Optional<AccessRequest> findById(@Param("id") String id);

  /** Row-locks the request for the rest of the transaction. */
  Optional<AccessRequest> lockById(@Param("id") String id);

  List<AccessRequest> findAll(@Param("requester") String requester, @Param("limit") int limit);

  void update(AccessRequest request);

  /** Other requests whose grant of the same assignment is still in force at {@code at}. */
  List<String> findOtherActiveGrants(@Param("id") String id, @Param("target") String target,
      @Param("principalId") String principalId, @Param("permissionSetArn") String permissionSetArn,
      @Param("at") Instant at);
}
