package io.airlock.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stand-in for a provider's JSON API (PagerDuty, Jira, ServiceNow): an HTTP server on
 * 127.0.0.1 with a free port, answering through one handler, stopped by {@link #close()}.
 */
public abstract class LocalJsonApi implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  LocalJsonApi() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", handler());
    server.setExecutor(threads);
    server.start();
  }

  abstract HttpHandler handler();

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A temporary file holding {@code secret}, as an operator sets a provider's key file. */
  public static Path secretFile(String secret) {
    try {
      Path f = Files.createTempFile("provider", ".secret");
      Files.writeString(f, secret + "\n");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
