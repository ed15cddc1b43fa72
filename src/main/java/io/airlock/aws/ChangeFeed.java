package io.airlock.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * What changed in the organization and Identity Center, from CloudTrail's event history of the
 * account Airlock's integration role is in (the management account, or Identity Center's
 * delegated administrator): its write events ({@code ReadOnly=false}, the one lookup attribute
 * that leaves out the scans' own tens of thousands of reads) of Identity Center and the identity
 * store in Identity Center's region, and of Organizations in us-east-1, where AWS records them.
 * Each page is one call within CloudTrail's 2 calls a second ({@link CloudTrailQuota}).
 */
final class ChangeFeed implements AutoCloseable {

  /**
   * The services whose changes the inventory holds: Identity Center, its identity store (through
   * its API, SCIM provisioning from an external identity provider, and the console's directory
   * actions) and Organizations.
   */
  static final Set<String> SOURCES = Set.of("sso.amazonaws.com", "identitystore.amazonaws.com",
      "identitystore-scim.amazonaws.com", "sso-directory.amazonaws.com", "organizations.amazonaws.com");

  /** One write event: its service, operation and the call's parameters and answer. */
  record Change(String source, String name, Instant at, JsonNode request, JsonNode response) {

    String request(String field) {
      return text(request, field);
    }

    static String text(JsonNode node, String field) {
      JsonNode n = node == null ? null : node.get(field);
      return n != null && n.isTextual() ? n.asText() : null;
    }
  }

  /** The changes read, oldest first, and the calls it took. */
  record Read(List<Change> changes, int calls) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** By region: Identity Center's, and us-east-1 (the same client when they are the same). */
  private final Map<String, CloudTrailClient> clients;

  ChangeFeed(Map<String, CloudTrailClient> clients) {
    this.clients = new LinkedHashMap<>(clients);
  }

  /**
   * The write events of the inventory's services from {@code since} until now. CloudTrail
   * refuses a start in the future: a node whose clock runs ahead of AWS's reads from its own now.
   */
  Read since(Instant since, Runnable perPage) {
    Instant from = since.isAfter(Instant.now()) ? Instant.now() : since;
    List<Change> changes = new ArrayList<>();
    int calls = 0;
    for (CloudTrailClient client : clients.values()) {
      for (LookupEventsResponse page : client.lookupEventsPaginator(r -> r.startTime(from)
          .lookupAttributes(a -> a.attributeKey(LookupAttributeKey.READ_ONLY).attributeValue("false")))) {
        calls++;
        perPage.run();
        page.events().stream().filter(e -> SOURCES.contains(e.eventSource()))
            .map(e -> parse(e.eventSource(), e.eventName(), e.eventTime(), e.cloudTrailEvent()))
            .filter(java.util.Objects::nonNull).forEach(changes::add);
      }
    }
    changes.sort(java.util.Comparator.comparing(Change::at));
    return new Read(changes, calls);
  }

  /**
   * Whether AWS refused to show the trail at all (the role may not call LookupEvents): the only
   * failure after which scanning everything is the way on, not trying again next time.
   */
  static boolean refused(software.amazon.awssdk.awscore.exception.AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return e.statusCode() == 403 || (code != null && (code.startsWith("AccessDenied")
        || code.equals("UnauthorizedOperation") || code.equals("UnrecognizedClientException")));
  }

  @Override
  public void close() {
    clients.values().forEach(CloudTrailClient::close);
  }

  /**
   * The change an event records; null for a call AWS refused: CloudTrail records failed calls too
   * (with {@code errorCode}), and they changed nothing. Their parameters are whatever the caller
   * sent (an account id that is not one, a permission set that does not exist): read again, they
   * would fail every incremental scan until the next full one.
   */
  private static Change parse(String source, String name, Instant at, String cloudTrailEvent) {
    JsonNode event = null;
    if (cloudTrailEvent != null) {
      try {
        event = JSON.readTree(cloudTrailEvent);
      } catch (java.io.IOException e) {
        event = null; // an event without readable parameters names nothing: read its part whole
      }
    }
    if (event != null && event.hasNonNull("errorCode")) {
      return null;
    }
    return new Change(source, name, at, event == null ? null : event.get("requestParameters"),
        event == null ? null : event.get("responseElements"));
  }
}
