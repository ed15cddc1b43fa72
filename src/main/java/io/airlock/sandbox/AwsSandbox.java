package io.airlock.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process emulator of the AWS APIs Airlock uses (sso-admin, identitystore, organizations, cloudtrail: AWS JSON 1.1;
 * sts: Query protocol; s3: REST/XML, path-style), served on 127.0.0.1 for the AWS SDK's {@code endpointOverride}.
 *
 * <p>Requests are routed by the {@code X-Amz-Target} header (JSON services), by the signature's
 * credential scope or a bucket path (S3), or by the form-encoded {@code Action} (STS). Signatures are not verified, but a request without {@code Authorization} is
 * rejected with 403 MissingAuthenticationToken, like AWS.
 */
public final class AwsSandbox implements AutoCloseable, SandboxEndpoint {

    private static final Logger LOG = Logger.getLogger(AwsSandbox.class.getName());
    private static final String JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final int THREADS = 4;

    private final SandboxSettings settings;
    private final SandboxFaults faults;
    private final SandboxState state;
    private final SsoAdminService ssoAdmin;
    private final IdentityStoreService identityStore;
    private final OrganizationsService organizations;
    private final StsService sts;
    private final S3Service s3;
    private final CloudTrailService cloudTrail;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI endpoint;
    private volatile boolean closed;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY every call waits ~40 ms
        // for a delayed ACK. ServerConfig reads this once, so set it before the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private AwsSandbox(SandboxSettings settings) throws IOException {
        this.settings = settings;
        this.faults = new SandboxFaults();
        this.state = new SandboxState(settings, faults, Clock.systemUTC());
        this.ssoAdmin = new SsoAdminService(state);
        this.identityStore = new IdentityStoreService(state);
        this.organizations = new OrganizationsService(state);
        this.sts = new StsService(state, settings);
        this.s3 = new S3Service(Clock.systemUTC());
        this.cloudTrail = new CloudTrailService(state, Clock.systemUTC());
        state.onAssignmentCreated(cloudTrail::assignmentCreated);
        s3.createBucket(DemoOrganization.AUDIT_BUCKET, true);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.server = HttpServer.create(new InetSocketAddress(loopback, settings.port()), 50);
        this.executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Binds 127.0.0.1:{@code settings.port()} (0 = a random free port) and seeds {@link DemoOrganization}. */
    public static AwsSandbox start(SandboxSettings settings) {
        try {
            AwsSandbox sandbox = new AwsSandbox(settings);
            LOG.info(() -> "AWS sandbox listening on " + sandbox.endpoint);
            return sandbox;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the AWS sandbox on 127.0.0.1:" + settings.port(), e);
        }
    }

    @Override
    public String externalId() {
        return settings.externalId();
    }

    /** The base URI to give the AWS SDK as {@code endpointOverride}, e.g. http://127.0.0.1:4566. */
    @Override
    public URI endpoint() {
        return endpoint;
    }

    public SandboxState state() {
        return state;
    }

    public SandboxFaults faults() {
        return faults;
    }

    /** The emulated S3: buckets and objects. */
    public S3Service s3() {
        return s3;
    }

    /** The emulated CloudTrail event history: seed events, read the LookupEvents calls. */
    public CloudTrailService cloudTrail() {
        return cloudTrail;
    }

    public SandboxSettings settings() {
        return settings;
    }

    /** Stops the server and its threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "aws-sandbox-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ request handling

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (target != null) {
                handleJson(exchange, requestId, target, body, arrived);
            } else if (isS3(exchange)) {
                handleS3(exchange, requestId, body);
            } else {
                handleQuery(exchange, requestId, body);
            }
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "AWS sandbox failed to answer a request", e);
        }
    }

    /** The access key id of a SigV4 Authorization header ("Credential=AKIA.../date/..."). */
    private static String accessKeyId(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        int at = auth == null ? -1 : auth.indexOf("Credential=");
        if (at < 0) {
            return "";
        }
        int end = auth.indexOf('/', at);
        return end < 0 ? "" : auth.substring(at + "Credential=".length(), end);
    }

    /** The region of a SigV4 credential scope ("Credential=AKIA.../20250101/us-east-1/cloudtrail/aws4_request"). */
    private static String signingRegion(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        int at = auth == null ? -1 : auth.indexOf("Credential=");
        if (at < 0) {
            return "us-east-1";
        }
        int end = auth.indexOf(',', at);
        String[] scope = auth.substring(at, end < 0 ? auth.length() : end).split("/");
        return scope.length >= 3 ? scope[2] : "us-east-1";
    }

    /** S3 by the signature's scope (".../us-east-1/s3/aws4_request"), else by a path below "/" (STS posts to "/"). */
    private static boolean isS3(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.contains("/s3/aws4_request")) {
            return true;
        }
        String path = exchange.getRequestURI().getRawPath();
        return path != null && path.length() > 1;
    }

    private boolean authorized(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        return auth != null && !auth.isBlank();
    }

    private void handleJson(HttpExchange exchange, String requestId, String target, byte[] body, long arrived)
            throws IOException {
        int dot = target.lastIndexOf('.');
        String prefix = dot < 0 ? "" : target.substring(0, dot);
        String operation = target.substring(dot + 1);
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                throw new SandboxException("UnknownOperationException", 404, "Only POST is supported.");
            }
            if (!authorized(exchange)) {
                throw new SandboxException("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
            }
            boolean throttled = switch (prefix) {
                case SsoAdminService.TARGET_PREFIX, IdentityStoreService.TARGET_PREFIX -> true;
                case OrganizationsService.TARGET_PREFIX -> false;
                case CloudTrailService.TARGET_PREFIX -> false; // its own quota, per account and region
                default -> throw new SandboxException("UnknownOperationException", 400,
                        "Unknown target " + target);
            };
            state.countCall(operation);
            state.countAction(accessKeyId(exchange), switch (prefix) {
                case SsoAdminService.TARGET_PREFIX -> "sso";
                case IdentityStoreService.TARGET_PREFIX -> "identitystore";
                case CloudTrailService.TARGET_PREFIX -> "cloudtrail";
                default -> "organizations";
            } + ":" + operation);
            JsonNode parsed = parse(body);
            JsonRequest req = new JsonRequest(parsed);
            if (SsoAdminService.TARGET_PREFIX.equals(prefix) && SandboxState.CREATE.equals(operation)) {
                state.recordCreationArrival(text(req, "PrincipalId"), text(req, "PermissionSetArn"),
                        text(req, "TargetId"), arrived);
            }
            applyCallFault(operation);
            if (throttled && faults.throttleAtRandom(operation)) {
                state.countThrottled();
                throw SandboxException.throttling("Rate exceeded (injected at random)");
            }
            if (throttled && !state.tryAcquireCall()) {
                throw SandboxException.throttling("Rate exceeded");
            }
            ObjectNode result = switch (prefix) {
                case SsoAdminService.TARGET_PREFIX -> ssoAdmin.handle(operation, req);
                case IdentityStoreService.TARGET_PREFIX -> identityStore.handle(operation, req);
                case CloudTrailService.TARGET_PREFIX -> cloudTrail.handle(operation, req,
                        state.accountOf(accessKeyId(exchange)), signingRegion(exchange));
                default -> organizations.handle(operation, req);
            };
            if (!CloudTrailService.TARGET_PREFIX.equals(prefix) && CloudTrailService.changes(operation)) {
                // As AWS records it: a management event of the caller's account, Organizations' in us-east-1
                String source = switch (prefix) {
                    case SsoAdminService.TARGET_PREFIX -> "sso.amazonaws.com";
                    case IdentityStoreService.TARGET_PREFIX -> "identitystore.amazonaws.com";
                    default -> "organizations.amazonaws.com";
                };
                cloudTrail.recordChange(state.accountOf(accessKeyId(exchange)),
                        "organizations.amazonaws.com".equals(source) ? "us-east-1" : signingRegion(exchange),
                        source, operation, accessKeyId(exchange), parsed, result);
            }
            if (SsoAdminService.TARGET_PREFIX.equals(prefix)
                    && (SandboxState.CREATE.equals(operation) || SandboxState.DELETE.equals(operation))) {
                state.recordAssignmentCall(operation, text(req, "PrincipalId"), text(req, "PermissionSetArn"),
                        text(req, "TargetId"), arrived);
            }
            sendJson(exchange, requestId, 200, result, null);
        } catch (SandboxException e) {
            ObjectNode error = JsonRequest.MAPPER.createObjectNode();
            error.put("__type", e.code());
            error.put("Message", e.getMessage());
            e.details().forEach(error::put);
            sendJson(exchange, requestId, e.status(), error, e.code());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AWS sandbox internal error in " + operation, e);
            ObjectNode error = JsonRequest.MAPPER.createObjectNode();
            error.put("__type", "InternalServerException");
            error.put("Message", "Internal error in the AWS sandbox: " + e);
            sendJson(exchange, requestId, 500, error, "InternalServerException");
        }
    }

    private void applyCallFault(String operation) {
        SandboxFaults.CallFault fault = faults.takeCallFault(operation);
        if (fault != null) {
            if ("ThrottlingException".equals(fault.errorCode()) || "Throttling".equals(fault.errorCode())
                    || "TooManyRequestsException".equals(fault.errorCode())) {
                state.countThrottled();
            }
            throw new SandboxException(fault.errorCode(), fault.httpStatus(),
                    "Injected fault for " + operation + ": " + fault.errorCode());
        }
    }

    private static String text(JsonRequest req, String field) {
        JsonNode n = req.node(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JsonRequest.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SandboxException("SerializationException", 400, "Malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void sendJson(HttpExchange exchange, String requestId, int status, ObjectNode body, String errorType)
            throws IOException {
        byte[] bytes = JsonRequest.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", JSON_CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        send(exchange, status, bytes);
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    // ------------------------------------------------------------------ S3 (REST/XML, path-style)

    private void handleS3(HttpExchange exchange, String requestId, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        String[] operation = {"S3"};
        exchange.getResponseHeaders().set("x-amz-request-id", requestId);
        try {
            if (!authorized(exchange)) {
                throw new SandboxException("AccessDenied", 403, "Access Denied");
            }
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
            S3Service.Response r = s3.handle(method, exchange.getRequestURI().getRawPath(),
                    parseForm(exchange.getRequestURI().getRawQuery()), headers, body, op -> {
                        operation[0] = op;
                        state.countCall(op);
                        state.countAction(accessKeyId(exchange), "s3:" + op);
                        applyCallFault(op);
                    });
            r.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            if ("HEAD".equals(method)) {
                exchange.sendResponseHeaders(r.status(), -1);
            } else {
                send(exchange, r.status(), r.body());
            }
        } catch (SandboxException e) {
            StringBuilder xml = new StringBuilder("<Error><Code>").append(S3Service.xml(e.code())).append("</Code>")
                    .append("<Message>").append(S3Service.xml(e.getMessage())).append("</Message>");
            e.details().forEach((k, v) -> xml.append('<').append(k).append('>').append(S3Service.xml(v))
                    .append("</").append(k).append('>'));
            xml.append("<RequestId>").append(requestId).append("</RequestId></Error>");
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            if ("HEAD".equals(method)) {
                exchange.sendResponseHeaders(e.status(), -1);
            } else {
                send(exchange, e.status(), xml.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AWS sandbox internal error in " + operation[0], e);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            send(exchange, 500, ("<Error><Code>InternalError</Code><Message>" + S3Service.xml(String.valueOf(e))
                    + "</Message><RequestId>" + requestId + "</RequestId></Error>").getBytes(StandardCharsets.UTF_8));
        }
    }

    // ------------------------------------------------------------------ STS (Query protocol)

    private void handleQuery(HttpExchange exchange, String requestId, byte[] body) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            params.putAll(parseForm(query));
        }
        params.putAll(parseForm(new String(body, StandardCharsets.UTF_8)));
        String action = params.getOrDefault("Action", "");
        try {
            if (!authorized(exchange)) {
                throw new SandboxException("MissingAuthenticationToken", 403,
                        "Request is missing Authentication Token");
            }
            if (action.isEmpty()) {
                throw new SandboxException("MissingAction", 400, "Missing Action");
            }
            state.countCall(action);
            state.countAction(accessKeyId(exchange), "sts:" + action);
            applyCallFault(action);
            String result = sts.handle(action, params);
            String xml = "<" + action + "Response xmlns=\"" + StsService.XMLNS + "\">"
                    + "<" + action + "Result>" + result + "</" + action + "Result>"
                    + "<ResponseMetadata><RequestId>" + requestId + "</RequestId></ResponseMetadata>"
                    + "</" + action + "Response>";
            sendXml(exchange, requestId, 200, xml);
        } catch (SandboxException e) {
            String type = e.status() >= 500 ? "Receiver" : "Sender";
            String xml = "<ErrorResponse xmlns=\"" + StsService.XMLNS + "\"><Error><Type>" + type + "</Type>"
                    + "<Code>" + StsService.xml(e.code()) + "</Code>"
                    + "<Message>" + StsService.xml(e.getMessage()) + "</Message></Error>"
                    + "<RequestId>" + requestId + "</RequestId></ErrorResponse>";
            sendXml(exchange, requestId, e.status(), xml);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AWS sandbox internal error in " + action, e);
            String xml = "<ErrorResponse xmlns=\"" + StsService.XMLNS + "\"><Error><Type>Receiver</Type>"
                    + "<Code>InternalFailure</Code><Message>" + StsService.xml(String.valueOf(e)) + "</Message>"
                    + "</Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
            sendXml(exchange, requestId, 500, xml);
        }
    }

    private static void sendXml(HttpExchange exchange, String requestId, int status, String xml) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        send(exchange, status, xml.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> parseForm(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        if (form == null || form.isBlank()) {
            return params;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
