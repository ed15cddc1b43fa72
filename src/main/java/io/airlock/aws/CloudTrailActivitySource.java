package io.airlock.aws;

import io.airlock.activity.ActivityEvent;
import io.airlock.activity.ActivitySource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * CloudTrail's event history through LookupEvents with the SDK's paginator: one client per
 * account and region (built on first use, kept), each signing with the account's read-only
 * reader role and limited by {@link CloudTrailQuota}.
 */
final class CloudTrailActivitySource implements ActivitySource, AutoCloseable {

  private final BiFunction<String, String, CloudTrailClient> clientFactory;
  private final Map<String, CloudTrailClient> clients = new ConcurrentHashMap<>();

  /** {@code clientFactory}: (account, region) to a client acting in that account and region. */
  CloudTrailActivitySource(BiFunction<String, String, CloudTrailClient> clientFactory) {
    this.clientFactory = clientFactory;
  }

  @Override
  public Lookup lookup(String accountId, String region, String userName, Instant from, Instant to, int limit) {
    CloudTrailClient client = clients.computeIfAbsent(accountId + "/" + region,
        k -> clientFactory.apply(accountId, region));
    List<ActivityEvent> events = new ArrayList<>();
    int calls = 0;
    boolean truncated = false;
    pages:
    for (LookupEventsResponse page : client.lookupEventsPaginator(r -> r
        .lookupAttributes(a -> a.attributeKey(LookupAttributeKey.USERNAME).attributeValue(userName))
        .startTime(from).endTime(to).maxResults(50))) {
      calls++;
      for (Event e : page.events()) {
        if (events.size() >= limit) {
          truncated = true;
          break pages;
        }
        events.add(new ActivityEvent(e.eventId(), region, e.eventTime(), e.eventSource(), e.eventName(), e.readOnly(),
            e.username(), e.accessKeyId(),
            e.resources().isEmpty() ? null : e.resources().stream()
                .map(res -> res.resourceType() + " " + res.resourceName()).collect(Collectors.joining(", ")),
            e.cloudTrailEvent()));
      }
    }
    return new Lookup(events, calls, truncated);
  }

  @Override
  public void close() {
    clients.values().forEach(CloudTrailClient::close);
  }
}
