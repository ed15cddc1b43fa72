package io.airlock.notify;

import io.airlock.request.EndingSoon;
import java.util.List;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Looks for access ending within {@code airlock.notify.ending-soon} (default 15 minutes) every
 * {@code airlock.notify.ending-soon-check} (default a minute), while any channel is on.
 */
@Component
class EndingSoonSchedule {

  private final EndingSoon endingSoon;
  private final NotifyProperties properties;
  private final List<Channel> channels;

  EndingSoonSchedule(EndingSoon endingSoon, NotifyProperties properties, List<Channel> channels) {
    this.endingSoon = endingSoon;
    this.properties = properties;
    this.channels = channels;
  }

  @Scheduled(initialDelayString = "${airlock.notify.ending-soon-check}",
      fixedDelayString = "${airlock.notify.ending-soon-check}")
  void check() {
    if (channels.stream().anyMatch(Channel::enabled)) {
      endingSoon.announce(properties.endingSoon());
    }
  }
}
