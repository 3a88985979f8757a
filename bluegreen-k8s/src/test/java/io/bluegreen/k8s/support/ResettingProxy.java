package io.bluegreen.k8s.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy on 127.0.0.1 in front of the mock API server that reads each HTTP/1.1 request a client
 * sends and either passes it on unchanged or drops the connection with a TCP reset (SO_LINGER 0)
 * instead: the client sees "connection reset" after sending its request, and the request never
 * reaches the server (so a reset write did not land). Responses are relayed byte for byte, so
 * keep-alive connections work as without the proxy. The fabric8 mock server has no way to drop a
 * connection by itself, hence this proxy.
 *
 * <pre>{@code
 * try (ResettingProxy proxy = ResettingProxy.start(cluster.url(), r -> r.method().equals("PUT"))) {
 *   KubernetesClient client = cluster.newClient(proxy.url(), b -> { });
 *   ...
 *   proxy.resets();   // how many requests were answered with a reset
 * }
 * }</pre>
 */
public final class ResettingProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int upstreamPort;
  private final Predicate<MockCluster.Request> reset;
  private final AtomicInteger resets = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ResettingProxy(int upstreamPort, Predicate<MockCluster.Request> reset) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.upstreamPort = upstreamPort;
    this.reset = reset;
    daemon("reset-proxy-accept", this::acceptLoop).start();
  }

  /**
   * @param upstreamUrl the server's URL, {@code http://127.0.0.1:<port>}
   * @param reset which requests to answer with a reset (called once per request, may keep state)
   * @return a started proxy
   */
  public static ResettingProxy start(String upstreamUrl, Predicate<MockCluster.Request> reset) {
    int port = Integer.parseInt(upstreamUrl.substring(upstreamUrl.lastIndexOf(':') + 1).replace("/", ""));
    try {
      return new ResettingProxy(port, reset);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the proxy", e);
    }
  }

  /** @return the URL clients use instead of the server's */
  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** @return how many requests were answered with a reset */
  public int resets() {
    return resets.get();
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        open.add(client);
        daemon("reset-proxy-conn", () -> serve(client)).start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    Socket upstream = null;
    try {
      upstream = new Socket(InetAddress.getByName("127.0.0.1"), upstreamPort);
      open.add(upstream);
      Socket up = upstream;
      daemon("reset-proxy-relay", () -> relay(up, client)).start();
      InputStream in = client.getInputStream();
      OutputStream out = upstream.getOutputStream();
      while (!closed) {
        RawRequest request = RawRequest.read(in);
        if (request == null) {
          break;
        }
        if (reset.test(request.request())) {
          resets.incrementAndGet();
          client.setSoLinger(true, 0); // close() now sends RST instead of FIN
          break;
        }
        out.write(request.bytes());
        out.flush();
      }
    } catch (IOException e) {
      // the client or the server went away: close both sides
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
      open.remove(client);
      if (upstream != null) {
        open.remove(upstream);
      }
    }
  }

  private void relay(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed
    } finally {
      closeQuietly(to);
      closeQuietly(from);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }

  /** One HTTP/1.1 request as read from the client: its bytes, and what it asks for. */
  private record RawRequest(byte[] bytes, MockCluster.Request request) {

    /** @return the next request, or null at the end of the stream before a request starts */
    static RawRequest read(InputStream in) throws IOException {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      String head = readHead(in, raw);
      if (head == null) {
        return null;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      int length = 0;
      boolean chunked = false;
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Integer.parseInt(value);
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        while (true) {
          String sizeLine = readLine(in, raw);
          int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
          if (size == 0) {
            while (!readLine(in, raw).isEmpty()) {
              // trailers
            }
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length < size) {
            throw new EOFException("request body cut short");
          }
          raw.write(chunk);
          body.write(chunk);
          readLine(in, raw); // CRLF after the chunk
        }
      } else if (length > 0) {
        byte[] content = in.readNBytes(length);
        if (content.length < length) {
          throw new EOFException("request body cut short");
        }
        raw.write(content);
        body.write(content);
      }
      return new RawRequest(raw.toByteArray(), new MockCluster.Request(requestLine[0], requestLine[1],
          body.toString(StandardCharsets.UTF_8)));
    }

    private static String readHead(InputStream in, ByteArrayOutputStream raw) throws IOException {
      StringBuilder head = new StringBuilder();
      int matched = 0;
      int b;
      while ((b = in.read()) >= 0) {
        raw.write(b);
        head.append((char) b);
        if ((b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))) {
          matched++;
        } else {
          matched = b == '\r' ? 1 : 0;
        }
        if (matched == 4) {
          return head.substring(0, head.length() - 4);
        }
      }
      if (head.length() == 0) {
        return null;
      }
      throw new EOFException("request head cut short");
    }

    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        raw.write(b);
        if (b == '\n') {
          int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
          return line.substring(0, end);
        }
        line.append((char) b);
      }
      throw new EOFException("request cut short");
    }
  }
}
