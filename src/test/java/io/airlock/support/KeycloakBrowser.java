package io.airlock.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a browser does with Airlock and Keycloak, over HTTP: follows redirects, keeps cookies
 * (Airlock's session, Keycloak's), fills in Keycloak's forms (sign-in, OTP set-up, OTP) as a
 * person would, and sends the webapps' CSRF header as their scripts do.
 */
public final class KeycloakBrowser {

  private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern HIDDEN = Pattern.compile(
      "<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"|"
          + "<input[^>]*name=\"([^\"]+)\"[^>]*type=\"hidden\"[^>]*value=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private final CookieManager cookies = new CookieManager();
  private final HttpClient http = HttpClient.newBuilder().cookieHandler(new LoopbackIsSecure(cookies))
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  private final String app;
  private HttpResponse<String> page;
  private java.util.function.Consumer<URI> beforeRedirect = uri -> { };

  public KeycloakBrowser(int appPort) {
    this.app = "http://127.0.0.1:" + appPort;
  }

  /** Opens a page of Airlock (following redirects, to Keycloak's sign-in page if need be). */
  public HttpResponse<String> open(String path) {
    page = send(HttpRequest.newBuilder(URI.create(app + path)).GET());
    return page;
  }

  /** Opens an absolute URL (e.g. Keycloak's authorization endpoint). */
  public HttpResponse<String> openUrl(String url) {
    page = send(HttpRequest.newBuilder(URI.create(url)).GET());
    return page;
  }

  /** Follows a link of the current page (absolute, or relative to the page). */
  public HttpResponse<String> follow(String href) {
    page = send(HttpRequest.newBuilder(page.uri().resolve(unescape(href))).GET());
    return page;
  }

  /** Runs {@code action} with each redirect's target before the browser follows it (e.g. to take a server away). */
  public KeycloakBrowser beforeRedirect(java.util.function.Consumer<URI> action) {
    this.beforeRedirect = action;
    return this;
  }

  /** The page the browser shows now. */
  public HttpResponse<String> page() {
    return page;
  }

  /** Fills in and submits the form of the current page (hidden fields kept), following redirects. */
  public HttpResponse<String> submit(Map<String, String> fields) {
    Matcher action = FORM_ACTION.matcher(page.body());
    if (!action.find()) {
      throw new IllegalStateException("no form on " + page.uri() + ": " + page.body());
    }
    Map<String, String> all = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(page.body());
    while (hidden.find()) {
      all.put(unescape(hidden.group(1) != null ? hidden.group(1) : hidden.group(3)),
          unescape(hidden.group(2) != null ? hidden.group(2) : hidden.group(4)));
    }
    all.putAll(fields);
    String body = all.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    URI target = page.uri().resolve(unescape(action.group(1)));
    page = send(HttpRequest.newBuilder(target).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    return page;
  }

  /** Keycloak's sign-in form: user name and password. */
  public HttpResponse<String> signIn(String user, String password) {
    return submit(Map.of("username", user, "password", password));
  }

  /** The hidden TOTP secret of Keycloak's OTP set-up page (what the QR code holds). */
  public String totpSecret() {
    Matcher m = Pattern.compile("name=\"totpSecret\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"totpSecret\"")
        .matcher(page.body());
    if (!m.find()) {
      throw new IllegalStateException("not the OTP set-up page: " + page.uri());
    }
    return unescape(m.group(1) != null ? m.group(1) : m.group(2));
  }

  /** A call of the webapps' scripts: JSON, with the X-XSRF-TOKEN of their cookie. */
  public HttpResponse<String> webappApi(String method, String path, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app + path))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
        .header("Accept", "application/json");
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
        .map(HttpCookie::getValue).findFirst().ifPresent(t -> b.header("X-XSRF-TOKEN", t));
    return send(b);
  }

  /** The RFC 6238 code of a Keycloak TOTP secret (HmacSHA1, 6 digits, 30 s) for the period {@code offset} periods from now. */
  public static String totp(String secret, int offset) {
    long counter = Instant.now().getEpochSecond() / 30 + offset;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      byte[] hash = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(counter).array());
      int o = hash[hash.length - 1] & 0xf;
      int binary = ((hash[o] & 0x7f) << 24) | ((hash[o + 1] & 0xff) << 16) | ((hash[o + 2] & 0xff) << 8)
          | (hash[o + 3] & 0xff);
      return String.format("%06d", binary % 1_000_000);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Browsers treat http://127.0.0.1 and http://localhost as secure contexts and send them {@code Secure} cookies
   * (Keycloak sets its sign-in cookies so); Java's CookieManager sends them over https only.
   */
  private static final class LoopbackIsSecure extends CookieHandler {
    private final CookieManager cookies;

    LoopbackIsSecure(CookieManager cookies) {
      this.cookies = cookies;
    }

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) throws IOException {
      return cookies.get(secure(uri), headers);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> headers) throws IOException {
      cookies.put(secure(uri), headers);
    }

    private static URI secure(URI uri) {
      if (!"http".equals(uri.getScheme()) || !("127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()))) {
        return uri;
      }
      try {
        return new URI("https", uri.getUserInfo(), uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  /**
   * Sends and follows redirects as a browser does (here, not in Java's client, which stops after
   * five; a brokered SAML sign-in takes more: Airlock → Keycloak → the company's IdP → Keycloak's
   * broker endpoint → Airlock's callback → the saved page → Tasklist).
   */
  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int hops = 0; hops < 15 && response.statusCode() / 100 == 3; hops++) {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
          break;
        }
        URI next = response.uri().resolve(location);
        beforeRedirect.accept(next);
        response = http.send(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(60))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String unescape(String s) {
    return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
        .replace("&gt;", ">");
  }
}
