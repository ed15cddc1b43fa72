package io.airlock.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The models in bpmn/, dmn/ and forms/ keep the house rules ({@link ModelLint}) and the rules of
 * every deployment ({@link ModelRules}); a broken model fails the build here, naming file and
 * element, instead of failing Airlock at start or being refused at deploy.
 */
class ModelLintTest {

  @Test
  void theModelsPassTheLint() {
    List<String> problems = ModelLint.lint(Path.of("."));

    assertThat(ModelLint.read(Path.of("."))).extracting(ModelRules.Resource::name)
        .contains("bpmn/access-request.bpmn", "dmn/access-scopes.dmn", "dmn/auto-approval.dmn",
            "forms/review-access-request.form");
    assertThat(problems).as("lint of bpmn/, dmn/, forms/:%n%s", String.join("\n", problems)).isEmpty();
  }

  @Test
  void aBrokenModelIsReportedWithFileAndElement() throws URISyntaxException {
    Path broken = Path.of(getClass().getResource("/lint/broken").toURI());

    List<String> problems = ModelLint.lint(broken);

    assertThat(problems).as(String.join("\n", problems)).contains(
        // BPMN
        "bpmn/broken.bpmn: process 'access-request' (Broken): camunda:historyTimeToLive is not set",
        "bpmn/broken.bpmn: userTask 'Task_Unnamed': has no name",
        "bpmn/broken.bpmn: userTask 'Task_Unnamed': camunda:formRefBinding is not \"deployment\"",
        "bpmn/broken.bpmn: startEvent 'StartEvent_Requested' (Requested): camunda:formRef 'no-such-form' is not "
            + "the id of a form in forms/",
        "bpmn/broken.bpmn: scriptTask 'UserTask_1' (Run a script): id does not start with Task_",
        "bpmn/broken.bpmn: sequenceFlow 'Flow_Yes': has no name (the answer to its gateway's question)",
        // DMN
        "dmn/broken.dmn: decision 'broken-approval' (Broken approval): camunda:historyTimeToLive is not set",
        "dmn/broken.dmn: rule 'rule1': id does not start with Rule_",
        "dmn/broken.dmn: rule 'rule1': has no description (annotate why the rule is there)",
        "dmn/broken.dmn: rule 'rule1': output 'approvalOutcome' is \"MAYBE\": not one of its values "
            + "[\"APPROVE\", \"DENY\", \"MANUAL\"]",
        "dmn/broken.dmn: rule 'rule1': output 'approvalsRequired' is \"two\": not a number",
        // forms
        "forms/broken.form: textfield 'comment': id does not start with Field_",
        "forms/broken.form: textfield 'comment': has no label");
    // and what no deployment may contain (ModelRules)
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: scriptTask 'UserTask_1' (Run a script): script tasks are refused"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: serviceTask 'Task_JavaClass' (Call a class): camunda:class "
            + "'io.airlock.request.AccessLifecycle' is refused"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: serviceTask 'Task_UnknownBean' (Call a bean): delegate expression "
            + "'${accessLifecycle}' is not one of the process's beans"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: startEvent 'StartEvent_Requested' (Requested): form 'no-such-form' is bound "
            + "to this deployment"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: sequenceFlow 'Flow_Yes' > conditionExpression: expression "
            + "'${execution.getProcessEngineServices() != null}' is refused: 'execution.getProcessEngineServices' "
            + "is not allowed"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("bpmn/broken.bpmn: process 'access-request': has no start event 'StartEvent_AccessRequested'"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("dmn/broken.dmn: inputExpression 'InputExpression_Permission': expression language "
            + "'javascript' is refused"));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("forms/broken.form: component 'Field_Html': type 'html' is refused"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "registerRequestDelegate",
      "approverGroups",
      "scopeName != null",
      "approvalOutcome == 'APPROVE'",
      "reviewOutcome == 'APPROVE' && execution.getVariable('moreApprovalsNeeded') != true",
      "execution.getVariable('startAt') != null",
      "requestStatus.update(execution, 'REVOKING')",
      "empty x ? 1.5 : -2",
      "a and not b or c eq 'x'"})
  void expressionsOnVariablesAndTheProcessBeansAreAllowed(String body) {
    assertThat(ModelRules.expressionProblem(body)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "''.getClass().forName('java.lang.Runtime')",
      "x.getClass()",
      "requestStatus.getClass()",
      "requestStatus.update(execution, 'X').toString()",
      "execution.getProcessEngineServices().getIdentityService()",
      "execution.processEngine",
      "execution.getVariable('x').bytes",
      "accessLifecycle.recordRevokeRequest('1', 'mallory', 'x')",
      "task.execution",
      "now()",
      "S(x)",
      "fn:call(x)",
      "x['class']",
      "x = 1",
      "x; y",
      "(x).y",
      "'unterminated"})
  void expressionsThatReachFurtherAreRefused(String body) {
    assertThat(ModelRules.expressionProblem(body)).as(body).isNotNull();
  }
}
