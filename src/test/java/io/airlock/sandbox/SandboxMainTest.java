package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The emulator on its own, as an operator trying Airlock runs it: faults switched on and off
 * through its control API while it serves the SDK, and a bad request to that API answered with
 * the field that is wrong.
 */
class SandboxMainTest {

  SandboxMain main;
  SdkClients aws;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    main = SandboxMain.start("--port=0", "--control-port=0", "--operation-delay=PT0.1S");
    aws = new SdkClients(main.sandbox());
  }

  @AfterEach
  void stop() {
    aws.close();
    main.close();
  }

  @Test
  void throttlingAndOutagesAreSwitchedOnAndOffWhileItServes() throws Exception {
    assertThat(aws.ssoAdmin.listInstances(r -> {}).instances()).hasSize(1);

    assertThat(send("PUT", "/faults/throttling", "{\"operation\": \"ListInstances\", \"rate\": 1}").statusCode())
        .isEqualTo(200);
    assertThatThrownBy(() -> aws.ssoAdmin.listInstances(r -> {}))
        .isInstanceOfSatisfying(AwsServiceException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException"));
    assertThat(aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)).permissionSets())
        .as("other operations are not throttled").isNotEmpty();

    send("PUT", "/faults/outage", "{\"operation\": \"ListPermissionSets\"}");
    assertThatThrownBy(() -> aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)))
        .isInstanceOfSatisfying(AwsServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    HttpResponse<String> now = send("GET", "/faults", null);
    assertThat(now.body()).contains("\"ListInstances\":1.0", "\"ListPermissionSets\":\"ServiceUnavailableException 503\"");

    assertThat(send("DELETE", "/faults", null).statusCode()).isEqualTo(200);
    assertThat(aws.ssoAdmin.listInstances(r -> {}).instances()).hasSize(1);
    assertThat(aws.ssoAdmin.listPermissionSets(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)).permissionSets())
        .isNotEmpty();
  }

  @Test
  void aBadFaultRequestNamesWhatIsWrongAndChangesNothing() throws Exception {
    HttpResponse<String> rate = send("PUT", "/faults/throttling", "{\"rate\": 7}");
    assertThat(rate.statusCode()).isEqualTo(400);
    assertThat(rate.body()).contains("rate: a number from 0 to 1");
    HttpResponse<String> notJson = send("PUT", "/faults/outage", "operation=Create");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("body: not JSON");
    assertThat(send("GET", "/faults", null).body()).contains("\"throttlingRate\":0.0", "\"outages\":{}");
    assertThat(aws.ssoAdmin.listInstances(r -> {}).instances()).hasSize(1);
  }

  private HttpResponse<String> send(String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(main.controlEndpoint() + path))
        .header("Content-Type", "application/json");
    request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
