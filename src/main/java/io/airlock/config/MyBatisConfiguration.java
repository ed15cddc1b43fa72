package io.airlock.config;

import java.util.Properties;
import org.apache.ibatis.mapping.DatabaseIdProvider;
import org.apache.ibatis.mapping.VendorDatabaseIdProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lets a mapper statement have a PostgreSQL and an H2 form where portable SQL has no
 * equivalent (an insert that ignores an existing key).
 */
@Configuration(proxyBeanMethods = false)
class MyBatisConfiguration {

  @Bean
  DatabaseIdProvider databaseIdProvider() {
    VendorDatabaseIdProvider provider = new VendorDatabaseIdProvider();
    Properties names = new Properties();
    names.setProperty("PostgreSQL", "postgresql");
    names.setProperty("H2", "h2");
    provider.setProperties(names);
    return provider;
  }
}
