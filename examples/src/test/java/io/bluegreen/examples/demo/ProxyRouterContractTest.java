package io.bluegreen.examples.demo;

import io.bluegreen.core.Environment;
import io.bluegreen.testkit.RouterContractTest;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The demo's router passes the compatibility kit too: its admin reads and writes are the backend calls. */
class ProxyRouterContractTest extends RouterContractTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  @Override
  protected RouterFixture createFixture() throws Exception {
    Map<String, URI> backends = new LinkedHashMap<>();
    backends.put("blue", URI.create("http://127.0.0.1:1")); // no request is forwarded in these tests
    backends.put("green", URI.create("http://127.0.0.1:2"));
    WeightedProxy proxy = WeightedProxy.start(backends, Map.of("blue", 100, "green", 0), Clock.systemUTC());
    ProxyRouter router = new ProxyRouter(proxy, BLUE, GREEN);
    return RouterFixture.of(router, BLUE, GREEN, () -> proxy.adminReads() + proxy.adminWrites(), proxy::adminWrites, proxy::close);
  }
}
