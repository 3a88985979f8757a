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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TCP proxy on 127.0.0.1 in front of an API server that reads each HTTP/1.1 request a client
 * sends and decides what happens to it: pass it on unchanged; drop the connection with a TCP reset
 * (SO_LINGER 0) instead, so the client sees "connection reset" after sending its request and the
 * request never reaches the server (a reset write did not land); answer it itself with a canned
 * response (a 500, a 429 with Retry-After) without forwarding it; or forward it and, once the server
 * has started answering (the write has landed), reset the connection so the reply is lost. Responses
 * are relayed byte for byte, so keep-alive connections work as without the proxy. The upstream can be
 * plain HTTP (the fabric8 mock server, which has no way to drop a connection by itself) or TLS (a real
 * kube-apiserver: the client talks plain HTTP to the proxy on loopback, the proxy TLS to the server).
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

  /** What the proxy does with one request. */
  public record Action(Kind kind, byte[] response) {

    /** The kinds of action. */
    public enum Kind {
      /** forward it, relay the reply */
      PASS,
      /** do not forward it; reset the client's connection */
      RESET,
      /** do not forward it; answer with {@link Action#response()} */
      RESPOND,
      /** forward it; once the reply starts, drop it and reset the client's connection */
      LOSE_REPLY
    }

    public static final Action PASS = new Action(Kind.PASS, null);
    public static final Action RESET = new Action(Kind.RESET, null);
    public static final Action LOSE_REPLY = new Action(Kind.LOSE_REPLY, null);

    /**
     * @param code the HTTP status
     * @param json the body (application/json)
     * @param headers extra headers, name then value
     * @return an action answering with that response instead of the server
     */
    public static Action respond(int code, String json, String... headers) {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + code + " Fault\r\nContent-Type: application/json\r\n");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[h.length + body.length];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(body, 0, all, h.length, body.length);
      return new Action(Kind.RESPOND, all);
    }
  }

  private final ServerSocket listener;
  private final int upstreamPort;
  private final SSLSocketFactory upstreamTls;
  private final Function<MockCluster.Request, Action> decide;
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger faults = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ResettingProxy(int upstreamPort, SSLSocketFactory upstreamTls, Function<MockCluster.Request, Action> decide) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.upstreamPort = upstreamPort;
    this.upstreamTls = upstreamTls;
    this.decide = decide;
    daemon("reset-proxy-accept", this::acceptLoop).start();
  }

  /**
   * @param upstreamUrl the server's URL, {@code http://127.0.0.1:<port>}
   * @param reset which requests to answer with a reset (called once per request, may keep state)
   * @return a started proxy
   */
  public static ResettingProxy start(String upstreamUrl, Predicate<MockCluster.Request> reset) {
    return start(upstreamUrl, null, r -> reset.test(r) ? Action.RESET : Action.PASS);
  }

  /**
   * @param upstreamUrl the server's URL, {@code http(s)://127.0.0.1:<port>}
   * @param upstreamTls how to open TLS connections to it (null: plain)
   * @param decide what to do with each request (called once per request, may keep state)
   * @return a started proxy; clients use {@link #url()} (plain HTTP)
   */
  public static ResettingProxy start(String upstreamUrl, SSLSocketFactory upstreamTls, Function<MockCluster.Request, Action> decide) {
    int port = Integer.parseInt(upstreamUrl.substring(upstreamUrl.lastIndexOf(':') + 1).replace("/", ""));
    try {
      return new ResettingProxy(port, upstreamTls, decide);
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

  /** @return how many requests were not simply passed on (reset, answered by the proxy, or their reply lost) */
  public int faults() {
    return faults.get();
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

  private Socket connectUpstream() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    return upstreamTls == null ? new Socket(loopback, upstreamPort) : upstreamTls.createSocket(loopback, upstreamPort);
  }

  private void serve(Socket client) {
    Socket upstream = null;
    try {
      upstream = connectUpstream();
      open.add(upstream);
      Relay relay = new Relay(upstream, client);
      daemon("reset-proxy-relay", relay::run).start();
      InputStream in = client.getInputStream();
      OutputStream out = upstream.getOutputStream();
      while (!closed) {
        RawRequest request = RawRequest.read(in);
        if (request == null) {
          break;
        }
        Action action = decide.apply(request.request());
        if (action.kind() != Action.Kind.PASS) {
          faults.incrementAndGet();
        }
        if (action.kind() == Action.Kind.RESET) {
          resets.incrementAndGet();
          client.setSoLinger(true, 0); // close() now sends RST instead of FIN
          break;
        }
        if (action.kind() == Action.Kind.RESPOND) {
          relay.toClient(action.response());
          continue;
        }
        if (action.kind() == Action.Kind.LOSE_REPLY) {
          relay.swallow();
        }
        out.write(request.bytes());
        out.flush();
        if (action.kind() == Action.Kind.LOSE_REPLY) {
          relay.awaitReplyStarted();
          client.setSoLinger(true, 0);
          break;
        }
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

  /** Copies the server's replies to the client, or swallows them (to lose a reply). */
  private static final class Relay {
    private final Socket from;
    private final Socket to;
    private final CountDownLatch replyStarted = new CountDownLatch(1);
    private volatile boolean swallowing;

    Relay(Socket from, Socket to) {
      this.from = from;
      this.to = to;
    }

    void swallow() {
      swallowing = true;
    }

    void awaitReplyStarted() throws IOException {
      try {
        if (!replyStarted.await(30, TimeUnit.SECONDS)) {
          throw new IOException("the server did not answer a forwarded request within 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    synchronized void toClient(byte[] bytes) throws IOException {
      OutputStream out = to.getOutputStream();
      out.write(bytes);
      out.flush();
    }

    void run() {
      byte[] buffer = new byte[8192];
      try {
        InputStream in = from.getInputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (swallowing) {
            replyStarted.countDown();
            continue;
          }
          synchronized (this) {
            OutputStream out = to.getOutputStream();
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // closed
      } finally {
        if (!swallowing) {
          closeQuietly(to);
        }
        closeQuietly(from);
      }
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
