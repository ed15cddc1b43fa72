package io.airlock.request.template;

import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** Table request_template. */
@Mapper
interface RequestTemplateMapper {

  String COLUMNS = "id, owner, name, system, target, principal, permission, duration, justification, ticket, created_at, craft_spec";

  @Insert("INSERT INTO request_template (" + COLUMNS + ") VALUES (#{id}, #{owner}, #{name}, #{system}, #{target}, "
      + "#{principal}, #{permission}, #{duration}, #{justification}, #{ticket}, #{createdAt}, #{craftSpec})")
  void insert(RequestTemplate template);

  @Select("SELECT " + COLUMNS + " FROM request_template WHERE owner = #{owner} ORDER BY name")
  List<RequestTemplate> findByOwner(@Param("owner") String owner);

  @Select("SELECT " + COLUMNS + " FROM request_template WHERE id = #{id} AND owner = #{owner}")
  Optional<RequestTemplate> findOwned(@Param("id") String id, @Param("owner") String owner);

  @Select("SELECT COUNT(*) FROM request_template WHERE owner = #{owner} AND name = #{name}")
  int countByName(@Param("owner") String owner, @Param("name") String name);

  @Delete("DELETE FROM request_template WHERE id = #{id} AND owner = #{owner}")
  int deleteOwned(@Param("id") String id, @Param("owner") String owner);
}
