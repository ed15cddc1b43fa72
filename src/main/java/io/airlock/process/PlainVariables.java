package io.airlock.process;

import io.airlock.audit.AuditLog;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.variable.serializer.TypedValueSerializer;
import org.camunda.bpm.engine.impl.variable.serializer.ValueFields;
import org.camunda.bpm.engine.runtime.VariableInstance;
import org.camunda.bpm.engine.variable.impl.value.UntypedValueImpl;
import org.camunda.bpm.engine.variable.type.ValueType;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Only plain values cross the engine's surfaces: a variable a signed-in person sends, on any
 * call that stores it or matches on it (start, submit-form, task completion, variable updates and
 * modifications on instances, executions and tasks, message correlation, and whatever surface
 * Camunda adds), is a string, boolean, number, date, null or JSON, never an Object value given in
 * its serialized form, a file or bytes. Such a value would name a Java class for the engine to
 * build when somebody reads it; no form or API of Airlock's sends one.
 *
 * <p>The check sits where the engine chooses how to store a value, not in front of each REST
 * resource: three serializers ahead of Camunda's own, for Object, File and Bytes, take such a
 * value only when a person is signed in on the call, and refuse it (400 naming the variable,
 * audited as {@code refused.variable}, one WARN line); the command rolls back whole. Airlock
 * itself (no signed-in user: jobs, timers, Airlock's own calls) and the values Airlock's steps
 * build in Java (the requester's groups, a Java list, stored deserialized) pass to Camunda's
 * serializers as before. Reading such a value back is limited to an allow-list of classes
 * ({@code deserialization-type-validation-enabled} in application.yaml).
 */
@Component
class PlainVariables extends AbstractProcessEnginePlugin {

  static final String REFUSED = "refused.variable";

  private final AuditLog audit;
  private final IdentityService identity;

  PlainVariables(@Lazy AuditLog audit, @Lazy IdentityService identity) {
    this.audit = audit;
    this.identity = identity;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    @SuppressWarnings("rawtypes")
    List<TypedValueSerializer> serializers = new ArrayList<>();
    // First: the engine asks the serializers in order, and among several that can take a value
    // prefers the one of the default serialization format, so the refusing one claims it too.
    serializers.add(new Refusing(ValueType.OBJECT, configuration));
    serializers.add(new Refusing(ValueType.FILE, configuration));
    serializers.add(new Refusing(ValueType.BYTES, configuration));
    if (configuration.getCustomPreVariableSerializers() != null) {
      serializers.addAll(configuration.getCustomPreVariableSerializers());
    }
    configuration.setCustomPreVariableSerializers(serializers);
  }

  /** Whether this value, set on this call, is refused: a person sends something other than plain data. */
  boolean refuses(TypedValue value) {
    if (AirlockSelf.active() || Steps.signedIn(identity) == null) {
      return false;
    }
    if (value instanceof SerializableValue serializable) {
      return !serializable.isDeserialized();
    }
    return ValueType.FILE.equals(value.getType()) || ValueType.BYTES.equals(value.getType());
  }

  void refuse(TypedValue value, ValueFields fields) {
    String name = fields.getName();
    String type = value.getType() == null ? "untyped" : label(value.getType());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "a value that is not plain data, sent on an engine call");
    details.put("variable", String.valueOf(name));
    details.put("type", type);
    if (value instanceof org.camunda.bpm.engine.variable.value.SerializableValue s && s.getSerializationDataFormat() != null) {
      details.put("serializationDataFormat", s.getSerializationDataFormat());
    }
    if (value instanceof org.camunda.bpm.engine.variable.value.ObjectValue o && o.getObjectTypeName() != null) {
      details.put("objectTypeName", o.getObjectTypeName()); // for the auditor; never in the answer
    }
    if (fields instanceof VariableInstance v && v.getProcessInstanceId() != null) {
      details.put("processInstanceId", v.getProcessInstanceId());
    }
    audit.refused(Steps.signedIn(identity), REFUSED, null, details);
    EngineErrors.translate(() -> {
      throw new InvalidRequestException(List.of(new FieldError(String.valueOf(name), "a value of type " + type
          + " is refused: variables sent to Airlock's processes are plain values (String, Boolean, Integer, Long, "
          + "Double, Date, Json or Null). Nothing was changed.")));
    });
  }

  /** The type as the engine REST API names it: Object, File, Bytes. */
  private static String label(ValueType type) {
    String name = type.getName();
    return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  /** Takes the values {@link #refuses} of one type, and refuses them; never stores or reads one. */
  private final class Refusing implements TypedValueSerializer<TypedValue> {

    private final ValueType type;
    private final ProcessEngineConfigurationImpl configuration;

    Refusing(ValueType type, ProcessEngineConfigurationImpl configuration) {
      this.type = type;
      this.configuration = configuration;
    }

    @Override
    public String getName() {
      return "airlock-refused-" + type.getName();
    }

    @Override
    public ValueType getType() {
      return type;
    }

    @Override
    public boolean canHandle(TypedValue value) {
      return type.equals(value.getType()) && refuses(value);
    }

    @Override
    public void writeValue(TypedValue value, ValueFields valueFields) {
      refuse(value, valueFields);
    }

    @Override
    public TypedValue readValue(ValueFields valueFields, boolean deserializeValue, boolean isTransient) {
      throw new IllegalStateException("no variable is stored by " + getName());
    }

    @Override
    public TypedValue convertToTypedValue(UntypedValueImpl untypedValue) {
      throw new IllegalStateException("untyped values are not taken by " + getName());
    }

    @Override
    public String getSerializationDataformat() {
      return configuration.getDefaultSerializationFormat();
    }

    @Override
    public boolean isMutableValue(TypedValue typedValue) {
      return false;
    }
  }
}
