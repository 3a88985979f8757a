package io.bluegreen.examples.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** Creates the demo's JDK HTTP servers: 127.0.0.1, an ephemeral port, TCP_NODELAY. */
final class LocalHttpServers {

  static {
    // The JDK server writes headers and body separately; with Nagle's algorithm on (its default) every
    // response then waits ~40 ms for a delayed ACK, which caps the demo at a few hundred requests per
    // second. The property is read once, when the first server is created in this JVM.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private LocalHttpServers() {
  }

  static HttpServer create(Executor executor) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 256);
    server.setExecutor(executor);
    return server;
  }
}
