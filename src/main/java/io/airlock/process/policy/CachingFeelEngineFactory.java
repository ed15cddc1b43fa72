package io.airlock.process.policy;

import camundajar.impl.scala.util.Either;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.dmn.feel.impl.FeelEngine;
import org.camunda.bpm.dmn.feel.impl.FeelEngineFactory;
import org.camunda.bpm.dmn.feel.impl.scala.ScalaFeelEngine;
import org.camunda.bpm.dmn.feel.impl.scala.function.CustomFunctionTransformer;
import org.camunda.feel.FeelEngine.Failure;
import org.camunda.feel.syntaxtree.ParsedExpression;
import org.camunda.feel.valuemapper.ValueMapper;

/**
 * Camunda's FEEL engine (feel-scala 1.19), unchanged but for two costs it pays on every cell of
 * every evaluation: it parses the cell's text again, and it builds its table of ~100 built-in
 * functions again ({@code FeelEngine.rootContext}, private). A simulation replays a table over
 * 1,000 requests and spent nearly all its time there. Here each text is parsed once (parsed
 * expressions are immutable syntax trees; the cache is bounded) and the root context is built
 * once and merged with each evaluation's variables, as feel-scala does itself. The private
 * members are reached by reflection; should a feel-scala version lack them, or anything go wrong,
 * evaluation falls back to feel-scala's own path, so results never differ
 * ({@code CachingFeelEngineTest} compares both on a thousand requests).
 */
public final class CachingFeelEngineFactory implements FeelEngineFactory {

  private static final int MAX_CACHED = 10_000;

  @Override
  public FeelEngine createInstance() {
    return new ScalaFeelEngine(List.of()) {
      @Override
      protected org.camunda.feel.FeelEngine buildFeelEngine(CustomFunctionTransformer functions,
          ValueMapper.CompositeValueMapper values) {
        org.camunda.feel.FeelEngine built = super.buildFeelEngine(functions, values);
        return new Parsing(built.functionProvider(), built.valueMapper(), built.configuration(), built.clock());
      }
    };
  }

  /** feel-scala's engine with its two parse methods cached. */
  static final class Parsing extends org.camunda.feel.FeelEngine {

    private final Map<String, Either<Failure, ParsedExpression>> expressions = new ConcurrentHashMap<>();
    private final Map<String, Either<Failure, ParsedExpression>> unaryTests = new ConcurrentHashMap<>();

    Parsing(org.camunda.feel.context.FunctionProvider functions, ValueMapper values,
        org.camunda.feel.FeelEngine.Configuration configuration, org.camunda.feel.FeelEngineClock clock) {
      super(functions, values, configuration, clock);
    }

    private static final java.lang.reflect.Method ROOT_CONTEXT = privateMethod("rootContext");
    private static final java.lang.reflect.Method VALIDATE = privateMethod("validate", ParsedExpression.class);
    private static final java.lang.reflect.Method EVAL = privateMethod("eval", ParsedExpression.class,
        org.camunda.feel.impl.interpreter.EvalContext.class);

    private final Map<ParsedExpression, Boolean> valid =
        java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private volatile org.camunda.feel.impl.interpreter.EvalContext root;

    private static java.lang.reflect.Method privateMethod(String name, Class<?>... parameters) {
      try {
        java.lang.reflect.Method m = org.camunda.feel.FeelEngine.class.getDeclaredMethod(name, parameters);
        m.setAccessible(true);
        return m;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null; // another feel-scala version: evaluate as it does
      }
    }

    @Override
    public org.camunda.feel.api.EvaluationResult evaluate(ParsedExpression expression,
        org.camunda.feel.context.Context context) {
      if (ROOT_CONTEXT == null || VALIDATE == null || EVAL == null) {
        return super.evaluate(expression, context);
      }
      try {
        Boolean ok = valid.get(expression);
        if (ok == null) {
          ok = ((Either<?, ?>) VALIDATE.invoke(this, expression)).isRight();
          if (valid.size() < MAX_CACHED) {
            valid.put(expression, ok);
          }
        }
        if (!ok) {
          return super.evaluate(expression, context); // feel-scala words the failure
        }
        org.camunda.feel.impl.interpreter.EvalContext r = root;
        if (r == null) {
          r = (org.camunda.feel.impl.interpreter.EvalContext) ROOT_CONTEXT.invoke(this);
          root = r;
        }
        return (org.camunda.feel.api.EvaluationResult) EVAL.invoke(this, expression, r.merge(context));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return super.evaluate(expression, context);
      }
    }

    @Override
    public Either<Failure, ParsedExpression> parseExpression(String expression) {
      return cached(expressions, expression, () -> super.parseExpression(expression));
    }

    @Override
    public Either<Failure, ParsedExpression> parseUnaryTests(String expression) {
      return cached(unaryTests, expression, () -> super.parseUnaryTests(expression));
    }

    private static Either<Failure, ParsedExpression> cached(Map<String, Either<Failure, ParsedExpression>> cache,
        String key, java.util.function.Supplier<Either<Failure, ParsedExpression>> parse) {
      Either<Failure, ParsedExpression> hit = cache.get(key);
      if (hit != null) {
        return hit;
      }
      Either<Failure, ParsedExpression> parsed = parse.get();
      if (cache.size() < MAX_CACHED) {
        cache.put(key, parsed);
      }
      return parsed;
    }
  }
}
