package io.airlock;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Scheduled work that calls AWS runs once per cluster, not once per node (README, "Running
 * several nodes"): every {@code @Scheduled} method takes a ShedLock lock, but those below, which
 * call no AWS API or are safe together by their own lock, each with the reason.
 */
@AnalyzeClasses(packages = "io.airlock", importOptions = ImportOption.DoNotIncludeTests.class)
class SchedulesOncePerClusterTest {

  /** Class.method → why it needs no cluster lock. */
  static final Map<String, String> NODE_LOCAL = Map.of(
      "io.airlock.request.NodeClock.check", "compares this node's clock with the database's; no AWS",
      "io.airlock.notify.EndingSoonSchedule.check", "claims each notice per request in the database; no AWS",
      "io.airlock.audit.AuditShippingConfiguration$AuditShippingSchedule.ship",
      "ships to S3 under its checkpoint's row lock: one node at a time ships each batch",
      "io.airlock.audit.AuditLog.writeHeld", "writes this node's own audit entries held in memory; no AWS",
      "io.airlock.inventory.InventoryScanSchedule.scan",
      "takes the scan's cluster lock itself (InventoryScans, shared with the scans a drift run asks for)");

  @ArchTest
  static final ArchRule scheduledWorkTakesAClusterLock = methods()
      .that().areAnnotatedWith(Scheduled.class)
      .and(DescribedPredicate.describe("not node-local (NODE_LOCAL)",
          (JavaMethod m) -> !NODE_LOCAL.containsKey(m.getOwner().getName() + "." + m.getName())))
      .should().beAnnotatedWith(SchedulerLock.class)
      .because("a schedule that calls AWS on every node multiplies its calls by the nodes, against one quota");
}
