package io.airlock.proposal;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Options;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The table {@code policy_proposal}. */
@Mapper
interface ProposalMapper {

  /** A new proposal's first values; {@code id} is filled in by the insert. */
  final class NewProposal {
    Long id;
    final String author;
    final Instant proposedAt;
    final String deploymentId;
    final String deploymentName;
    final String source;
    final String files;
    final String baseline;

    NewProposal(String author, Instant proposedAt, String deploymentId, String deploymentName, String source,
        String files, String baseline) {
      this.author = author;
      this.proposedAt = proposedAt;
      this.deploymentId = deploymentId;
      this.deploymentName = deploymentName;
      this.source = source;
      this.files = files;
      this.baseline = baseline;
    }

    public Long getId() {
      return id;
    }

    public void setId(Long id) {
      this.id = id;
    }

    public String getAuthor() {
      return author;
    }

    public Instant getProposedAt() {
      return proposedAt;
    }

    public String getDeploymentId() {
      return deploymentId;
    }

    public String getDeploymentName() {
      return deploymentName;
    }

    public String getSource() {
      return source;
    }

    public String getFiles() {
      return files;
    }

    public String getBaseline() {
      return baseline;
    }
  }

  @Insert("INSERT INTO policy_proposal (status, author, proposed_at, deployment_id, deployment_name, source, files, "
      + "baseline) VALUES ('PROPOSED', #{author}, #{proposedAt}, #{deploymentId}, #{deploymentName}, #{source}, "
      + "#{files}, #{baseline})")
  @Options(useGeneratedKeys = true, keyProperty = "id", keyColumn = "id")
  int insert(NewProposal proposal);

  @Select("SELECT * FROM policy_proposal WHERE id = #{id}")
  PolicyProposal find(@Param("id") long id);

  @Select("SELECT * FROM policy_proposal WHERE id = #{id} FOR UPDATE")
  PolicyProposal lock(@Param("id") long id);

  @Select("SELECT * FROM policy_proposal ORDER BY id DESC LIMIT #{limit}")
  List<PolicyProposal> newest(@Param("limit") int limit);

  @Select("SELECT * FROM policy_proposal WHERE deployment_id = #{deploymentId}")
  PolicyProposal byDeployment(@Param("deploymentId") String deploymentId);

  @Update("UPDATE policy_proposal SET process_instance_id = #{processInstanceId} WHERE id = #{id}")
  int started(@Param("id") long id, @Param("processInstanceId") String processInstanceId);

  @Update("UPDATE policy_proposal SET simulation = #{simulation} WHERE id = #{id}")
  int simulated(@Param("id") long id, @Param("simulation") String simulation);

  @Update("UPDATE policy_proposal SET status = #{to}, reviewer = #{reviewer}, reviewed_at = #{at}, "
      + "review_comment = #{comment} WHERE id = #{id} AND status = 'PROPOSED'")
  int reviewed(@Param("id") long id, @Param("to") String to, @Param("reviewer") String reviewer,
      @Param("at") Instant at, @Param("comment") String comment);

  @Update("UPDATE policy_proposal SET status = 'IN_FORCE', in_force_deployment_id = #{deploymentId}, "
      + "in_force_at = #{at} WHERE id = #{id} AND status = 'APPROVED'")
  int inForce(@Param("id") long id, @Param("deploymentId") String deploymentId, @Param("at") Instant at);

  @Update("UPDATE policy_proposal SET status = #{to}, outcome_reason = #{reason} WHERE id = #{id} AND status = #{from}")
  int ended(@Param("id") long id, @Param("from") String from, @Param("to") String to, @Param("reason") String reason);
}
