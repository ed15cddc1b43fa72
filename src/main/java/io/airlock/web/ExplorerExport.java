package io.airlock.web;

import io.airlock.explorer.PermissionMapping;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The explorer's CSV download for the Who-has-what page: one column per field of
 * {@link PermissionMapping}, in its order, written as the REST API writes them (text quoted,
 * policies joined by spaces, source, times and flags bare), so a field added to the mapping is a
 * column of both at once.
 */
public final class ExplorerExport {

  private static final RecordComponent[] FIELDS = PermissionMapping.class.getRecordComponents();

  private ExplorerExport() {}

  public static String csv(List<PermissionMapping> mappings) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < FIELDS.length; i++) {
      out.append(i == 0 ? "" : ",").append(FIELDS[i].getName());
    }
    out.append('\n');
    for (PermissionMapping m : mappings) {
      for (int i = 0; i < FIELDS.length; i++) {
        out.append(i == 0 ? "" : ",").append(cell(value(FIELDS[i], m)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static Object value(RecordComponent field, PermissionMapping m) {
    try {
      return field.getAccessor().invoke(m);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot read " + field.getName(), e);
    }
  }

  private static String cell(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof List<?> list) {
      return AuditController.csv(list.stream().map(String::valueOf).collect(Collectors.joining(" ")));
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    if (v instanceof Instant || v instanceof Boolean || v instanceof Number) {
      return v.toString();
    }
    return AuditController.csv(v.toString());
  }
}
