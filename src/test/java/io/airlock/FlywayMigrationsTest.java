package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestStatus;
import io.airlock.support.Migrations;
import io.airlock.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.ibatis.builder.xml.XMLMapperBuilder;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/**
 * Airlock's own tables upgrade from every earlier schema version (README "Upgrading"). One
 * database goes through {@code db/migration} one version at a time, as Airlock's start runs Flyway
 * ({@code spring.flyway.*} of application.yaml); at each version k every table gets a row with a
 * value in every column (a table Flyway seeded, such as the audit chain's head, has that row
 * changed instead), and after each later migration every row written before is checked: every
 * value as written, the columns added since empty, no row added or lost. At the end the current
 * code's mapper reads the request written at each version. A second database jumps from the first
 * version to the latest in one run, as an operator who skipped every release would.
 *
 * <p>One database through every step asks what a database per k migrated from k to the latest
 * would (the schema at k is the same whichever way it was reached, and each later migration runs
 * over rows written at every version before it) at a fraction of the time: a database per k, on
 * PostgreSQL and H2, took 104 s on the shared 2-core machine. The rows are made from the schema
 * itself (each column gets a value of its type; a few get the values Airlock would write), so a
 * table or column a later migration adds is covered without changing this test. A migration that
 * cannot run over existing rows (a NOT NULL column without a default, a narrowed type, a unique
 * index over duplicates) or that changes them fails here. On PostgreSQL, as in production, and on
 * H2, the embedded default's database.
 */
class FlywayMigrationsTest {

  private static final Instant WRITTEN_AT = Instant.parse("2026-11-30T10:15:30Z");
  /** Values Airlock would write, where a column's type alone says too little. */
  private static final Map<String, Object> AS_AIRLOCK_WRITES = Map.ofEntries(
      Map.entry("access_request.system", "AWS"),
      Map.entry("access_request.target", "222222222222"),
      Map.entry("access_request.status", "ACTIVE"),
      Map.entry("access_request.duration", "PT1H"),
      Map.entry("access_request.principal", "alice"),
      Map.entry("access_request.permission", "PowerUserAccess"),
      Map.entry("access_request.decision_outcome", "MANUAL"),
      Map.entry("access_request.review_outcome", "APPROVE"),
      Map.entry("audit_event.details", "{\"status\":\"ACTIVE\"}"),
      Map.entry("policy_proposal.status", "PROPOSED"),
      Map.entry("membership_change.status", "REQUESTED"));

  static EmbeddedPostgres postgres;
  static Properties flywaySettings;

  @BeforeAll
  static void server() throws Exception {
    postgres = TestPostgres.start();
    YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yaml"));
    flywaySettings = yaml.getObject();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"PostgreSQL", "H2"})
  void dataWrittenAtEveryVersionSurvivesEveryLaterMigration(String database) throws Exception {
    DataSource db = freshDatabase(database, "upgrade_steps");
    List<MigrationVersion> versions = Migrations.versions();
    List<WrittenRow> written = new ArrayList<>();
    for (int step = 0; step < versions.size(); step++) {
      String version = versions.get(step).getVersion();
      migrate(db, version);
      try (Connection c = db.getConnection()) {
        stillThere(c, written, version);
        for (String table : tables(c)) {
          WrittenRow row = write(c, table, version, step, written);
          if (!row.inserted()) { // the seeded row, changed again: its earlier values are gone
            written.removeIf(w -> w.table().equals(table));
          }
          written.add(row);
        }
      }
    }
    assertThat(written).extracting(WrittenRow::table).contains("access_request", "audit_event", "audit_chain");
    for (int step = 0; step < versions.size(); step++) {
      AccessRequest request = readRequest(db, database, requestId(step));
      assertThat(request).as("the request written at V%s", versions.get(step)).isNotNull();
      assertThat(request.getStatus()).isEqualTo(RequestStatus.ACTIVE);
      assertThat(request.getPrincipal()).isEqualTo("alice");
      assertThat(request.getDuration()).isEqualTo("PT1H");
      assertThat(request.getGrantEnd()).isNotNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"PostgreSQL", "H2"})
  void dataWrittenAtTheFirstVersionSurvivesOneJumpToTheLatest(String database) throws Exception {
    DataSource db = freshDatabase(database, "upgrade_jump");
    String first = Migrations.versions().get(0).getVersion();
    migrate(db, first);
    List<WrittenRow> written = new ArrayList<>();
    try (Connection c = db.getConnection()) {
      for (String table : tables(c)) {
        written.add(write(c, table, first, 0, written));
      }
    }
    migrate(db, Migrations.latest());
    try (Connection c = db.getConnection()) {
      stillThere(c, written, Migrations.latest());
    }
    assertThat(readRequest(db, database, requestId(0)).getStatus()).isEqualTo(RequestStatus.ACTIVE);
  }

  /** Every row written before is as it was written, and the columns added since are empty. */
  private static void stillThere(Connection c, List<WrittenRow> written, String version) throws SQLException {
    Map<String, Integer> rows = new LinkedHashMap<>();
    Map<String, List<Column>> columns = new HashMap<>();
    for (WrittenRow row : written) {
      rows.merge(row.table(), row.inserted() ? 1 : 0, Integer::sum);
      Map<String, Object> now = read(c, row, columns.computeIfAbsent(row.table(), t -> columns(c, t)));
      row.values().forEach((column, value) -> assertThat(now.get(column))
          .as("%s.%s written at V%s, at V%s", row.table(), column, row.version(), version).isEqualTo(value));
      now.forEach((column, value) -> {
        if (!row.values().containsKey(column)) {
          assertThat(value).as("%s.%s, added after V%s", row.table(), column, row.version()).isNull();
        }
      });
    }
    for (Map.Entry<String, Integer> table : rows.entrySet()) {
      assertThat(count(c, table.getKey())).as("rows of %s at V%s", table.getKey(), version)
          .isEqualTo(Math.max(table.getValue(), 1));
    }
  }

  // ---------------------------------------------------------------- databases and Flyway

  private static DataSource freshDatabase(String database, String name) throws SQLException {
    if (database.equals("H2")) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
      h2.setUser("sa");
      return h2;
    }
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name);
    }
    return postgres.getDatabase("postgres", name);
  }

  /** Flyway as Airlock's start runs it (spring.flyway.* of application.yaml), up to {@code target}. */
  private static Flyway flyway(DataSource db, String target) {
    return Flyway.configure()
        .dataSource(db)
        .locations("classpath:db/migration")
        .table(flywaySettings.getProperty("spring.flyway.table"))
        .baselineOnMigrate(Boolean.parseBoolean(flywaySettings.getProperty("spring.flyway.baseline-on-migrate")))
        .baselineVersion(flywaySettings.getProperty("spring.flyway.baseline-version"))
        .target(MigrationVersion.fromVersion(target))
        .load();
  }

  private static void migrate(DataSource db, String version) {
    assertThat(flyway(db, version).migrate().targetSchemaVersion).as("schema version").isEqualTo(version);
  }

  private static AccessRequest readRequest(DataSource db, String database, String id) throws Exception {
    Configuration mybatis = new Configuration(new Environment("upgrade", new JdbcTransactionFactory(), db));
    mybatis.setMapUnderscoreToCamelCase(true);
    mybatis.setArgNameBasedConstructorAutoMapping(true);
    mybatis.setDatabaseId(database.equals("H2") ? "h2" : "postgresql");
    String mapper = "io/airlock/request/AccessRequestMapper.xml";
    try (InputStream xml = new ClassPathResource(mapper).getInputStream()) {
      new XMLMapperBuilder(xml, mybatis, mapper, mybatis.getSqlFragments()).parse();
    }
    try (SqlSession session = new SqlSessionFactoryBuilder().build(mybatis).openSession()) {
      return session.selectOne("io.airlock.request.AccessRequestMapper.findById", Map.of("id", id));
    }
  }

  // ---------------------------------------------------------------- rows

  record Column(String name, int type, int size) {}

  /** A row written at {@code version}: inserted, or the row Flyway seeded changed. */
  record WrittenRow(String table, String version, List<String> key, Map<String, Object> values, boolean inserted) {}

  /** Airlock's tables, lower case, without Flyway's history. */
  private static List<String> tables(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String table = rs.getString("TABLE_NAME").toLowerCase();
        if (!table.equals(flywaySettings.getProperty("spring.flyway.table"))) {
          tables.add(table);
        }
      }
    }
    return tables;
  }

  /**
   * A row with a value in every column of the table: a new one, or, in a table Flyway seeded (the
   * audit chain's head, say), that row changed.
   */
  private static WrittenRow write(Connection c, String table, String version, int step, List<WrittenRow> before)
      throws SQLException {
    List<Column> columns = columns(c, table);
    List<String> key = primaryKey(c, table);
    assertThat(key).as("primary key of %s", table).isNotEmpty();
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      Column col = columns.get(i);
      values.put(col.name(), value(table, col, version, step, i));
    }
    boolean ours = before.stream().anyMatch(w -> w.table().equals(table) && w.inserted());
    boolean seeded = !ours && count(c, table) > 0;
    String sql;
    if (seeded) {
      assertThat(count(c, table)).as("rows Flyway seeded in %s", table).isEqualTo(1);
      values.keySet().removeAll(key);
      sql = "UPDATE " + table + " SET " + String.join(", ", values.keySet().stream().map(k -> k + " = ?").toList());
    } else {
      sql = "INSERT INTO " + table + " (" + String.join(", ", values.keySet()) + ") VALUES ("
          + String.join(", ", values.keySet().stream().map(k -> "?").toList()) + ")";
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (Object value : values.values()) {
        ps.setObject(i++, value);
      }
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    if (seeded) { // the seeded row's key, as it is
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT " + String.join(", ", key) + " FROM " + table)) {
        rs.next();
        for (String k : key) {
          values.put(k, rs.getObject(k));
        }
      }
    }
    return new WrittenRow(table, version, key, values, !seeded);
  }

  /**
   * The value Airlock would write, or one of the column's type that fits it and differs from
   * step to step (keys stay unique).
   */
  private static Object value(String table, Column col, String version, int step, int index) {
    if (table.equals("access_request") && col.name().equals("id")
        || table.equals("audit_event") && col.name().equals("request_id")) {
      return requestId(step);
    }
    Object known = AS_AIRLOCK_WRITES.get(table + "." + col.name());
    if (known != null) {
      return known;
    }
    return switch (col.type()) {
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.CLOB -> {
        String s = "V" + version + " " + col.name();
        yield s.length() > col.size() ? s.substring(0, col.size()) : s;
      }
      case Types.TIMESTAMP -> Timestamp.from(WRITTEN_AT.plusSeconds(100L * step + index));
      case Types.INTEGER, Types.SMALLINT -> 100 * step + index;
      case Types.BIGINT -> 4_000_000_000L + 100L * step + index;
      case Types.BOOLEAN, Types.BIT -> step % 2 == 0;
      default -> throw new AssertionError(table + "." + col.name() + ": no test value for SQL type " + col.type()
          + "; add one here");
    };
  }

  private static String requestId(int step) {
    return "7f1e7d1c-0000-4000-8000-%012d".formatted(step);
  }

  private static Map<String, Object> read(Connection c, WrittenRow row, List<Column> columns) throws SQLException {
    String where = String.join(" AND ", row.key().stream().map(k -> k + " = ?").toList());
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + row.table() + " WHERE " + where)) {
      for (int i = 0; i < row.key().size(); i++) {
        ps.setObject(i + 1, row.values().get(row.key().get(i)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the row written in %s", row.table()).isTrue();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Column col : columns) {
          Object expected = row.values().get(col.name());
          values.put(col.name(), expected == null ? rs.getObject(col.name()) : rs.getObject(col.name(), expected.getClass()));
        }
        return values;
      }
    }
  }

  private static List<Column> columns(Connection c, String table) {
    try {
      DatabaseMetaData meta = c.getMetaData();
      List<Column> columns = new ArrayList<>();
      try (ResultSet rs = meta.getColumns(null, c.getSchema(), stored(meta, table), "%")) {
        while (rs.next()) {
          columns.add(new Column(rs.getString("COLUMN_NAME").toLowerCase(), rs.getInt("DATA_TYPE"),
              rs.getInt("COLUMN_SIZE")));
        }
      }
      return columns;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> primaryKey(Connection c, String table) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    List<String> key = new ArrayList<>();
    try (ResultSet rs = meta.getPrimaryKeys(null, c.getSchema(), stored(meta, table))) {
      while (rs.next()) {
        key.add(rs.getString("COLUMN_NAME").toLowerCase());
      }
    }
    return key;
  }

  /** The table's name as the database stores it (H2: upper case; PostgreSQL: lower case). */
  private static String stored(DatabaseMetaData meta, String table) throws SQLException {
    return meta.storesUpperCaseIdentifiers() ? table.toUpperCase() : table;
  }

  private static int count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
