package io.airlock.notify;

import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/** Email, one message per recipient (nobody learns who else was told). */
@Component
class MailChannel implements Channel {

  private final NotifyProperties properties;
  private final ObjectProvider<JavaMailSender> sender;
  private final Directory directory;

  MailChannel(NotifyProperties properties, ObjectProvider<JavaMailSender> sender, Directory directory) {
    this.properties = properties;
    this.sender = sender;
    this.directory = directory;
  }

  @Override
  public String name() {
    return "mail";
  }

  @Override
  public boolean enabled() {
    return properties.mail().enabled();
  }

  @Override
  public void send(Notice notice) {
    JavaMailSender mail = sender.getIfAvailable();
    if (mail == null) {
      throw new IllegalStateException("airlock.notify.mail.enabled is true but no mail server is configured "
          + "(spring.mail.host)");
    }
    Set<String> to = directory.emails(notice.users(), notice.groups());
    SimpleMailMessage[] messages = to.stream().map(address -> {
      SimpleMailMessage m = new SimpleMailMessage();
      m.setFrom(properties.mail().from());
      m.setTo(address);
      m.setSubject("[Airlock] " + notice.subject());
      m.setText(notice.body());
      return m;
    }).toArray(SimpleMailMessage[]::new);
    if (messages.length > 0) {
      mail.send(messages);
    }
  }
}
