package io.airlock;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency direction: web and process call the use cases in {@code request}; the use
 * cases know neither Camunda nor the AWS SDK (they own the ports); only the AWS adapter touches
 * SDK types.
 */
@AnalyzeClasses(packages = "io.airlock", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule onlyTheAdapterTouchesTheAwsSdk = noClasses()
      .that().resideOutsideOfPackage("io.airlock.aws..")
      .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
      .because("AWS is reached through the AccessGateway port only");

  @ArchTest
  static final ArchRule useCasesKnowNeitherCamundaNorTheWeb = noClasses()
      .that().resideInAPackage("io.airlock.request..")
      .should().dependOnClassesThat().resideInAnyPackage("org.camunda..", "software.amazon..",
          "io.airlock.web..", "io.airlock.process..", "io.airlock.aws..", "jakarta.servlet..")
      .because("the use cases own their ports; adapters depend on them, not the other way round");

  @ArchTest
  static final ArchRule webCallsUseCasesNotTheEngine = noClasses()
      .that().resideInAPackage("io.airlock.web..")
      .should().dependOnClassesThat().resideInAnyPackage("org.camunda.bpm.engine.delegate..",
          "io.airlock.process..", "io.airlock.aws..", "io.airlock.sandbox..")
      .because("the REST API calls use cases");

  @ArchTest
  static final ArchRule processCallsUseCasesNotAws = noClasses()
      .that().resideInAPackage("io.airlock.process..")
      .should().dependOnClassesThat().resideInAnyPackage("io.airlock.aws..", "io.airlock.web..", "io.airlock.sandbox..")
      .because("delegates call use cases");

  @ArchTest
  static final ArchRule sandboxStandsAlone = noClasses()
      .that().resideInAPackage("io.airlock.sandbox..")
      .should().dependOnClassesThat().resideInAnyPackage("io.airlock.request..", "io.airlock.process..",
          "io.airlock.web..", "io.airlock.aws..", "org.camunda..")
      .because("the emulator is AWS, not a part of Airlock that knows Airlock");

  /**
   * DESIGN, "Engine": moving to another engine (Camunda 7 Enterprise, Operaton, CIB seven) stays
   * a rename of these packages' imports.
   */
  @ArchTest
  static final ArchRule theEngineStaysWhereItBelongs = noClasses()
      .that().resideOutsideOfPackages("io.airlock.process..", "io.airlock.identity..", "io.airlock.config..")
      .should().dependOnClassesThat().resideInAPackage("org.camunda..")
      .because("only the process, identity and configuration packages know the engine; the rest use their ports");

  /**
   * The CLI (target/airlock-cli.jar) is built from io/airlock/cli/** with picocli and Jackson only:
   * a class of Airlock's in it would be missing from that jar at run time, and Airlock's code has no
   * business calling a terminal client.
   */
  @ArchTest
  static final ArchRule theCliUsesOnlyTheJdkPicocliAndJackson = classes()
      .that().resideInAPackage("io.airlock.cli..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("io.airlock.cli..", "java..", "javax..", "picocli..",
          "com.fasterxml.jackson..")
      .because("the CLI's jar holds only io/airlock/cli/**, picocli and Jackson (src/assembly/cli.xml)");

  @ArchTest
  static final ArchRule nothingElseUsesTheCli = noClasses()
      .that().resideOutsideOfPackage("io.airlock.cli..")
      .should().dependOnClassesThat().resideInAPackage("io.airlock.cli..")
      .because("the CLI is a client of the REST API, not a part of the server");

  @ArchTest
  static final ArchRule noCycles = slices().matching("io.airlock.(*)..").should().beFreeOfCycles();
}
