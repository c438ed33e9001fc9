package dev.crossgate.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How a role writes its log lines: {@code text} ({@code key=value} fields after a timestamp, level,
 * thread and logger) or {@code json} (one JSON object per line by logstash-logback-encoder: {@code
 * timestamp}, {@code level}, {@code logger}, {@code thread}, {@code message}, MDC fields; the
 * access log's line is the request's fields with {@code requestId} and {@code traceId}).
 */
enum LogFormat {
  TEXT,
  JSON;

  /** {@code text} or {@code json}, in any case. */
  static final class Parser implements picocli.CommandLine.ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a log format (text or json)");
      }
    }
  }

  /** The variable {@code logback.xml} picks its appenders by. */
  private static final String VARIABLE = "CROSSGATE_LOG_FORMAT";

  /**
   * Sets up a role's logging: java.util.logging (the OpenTelemetry SDK's) goes to the same lines,
   * and {@code logback.xml} is read again with this format unless logback already started with it
   * (it starts before flags are parsed, from the environment). Lines written before keep their
   * form.
   */
  void apply() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    var value = name().toLowerCase(Locale.ROOT);
    var started = System.getProperty(VARIABLE, System.getenv(VARIABLE));
    if (value.equals(started == null ? "text" : started)) {
      return;
    }
    // a system property: logback's variables look there before the environment
    System.setProperty(VARIABLE, value);
    var context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    var configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(LogFormat.class.getResource("/logback.xml"));
    } catch (JoranException e) {
      throw new IllegalStateException("logback.xml cannot be read: " + e.getMessage(), e);
    }
  }
}
