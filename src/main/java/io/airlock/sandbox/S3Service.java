package io.airlock.sandbox;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Amazon S3, path-style REST/XML, as much as Airlock uses: CreateBucket (optionally with Object
 * Lock), PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 and
 * GetObjectLockConfiguration. Object Lock: a bucket created with it takes
 * {@code x-amz-object-lock-mode} (GOVERNANCE, COMPLIANCE) and
 * {@code x-amz-object-lock-retain-until-date} on PutObject (which then, like S3, needs a
 * Content-MD5 or checksum), and refuses to overwrite or delete an object until its retention
 * ends; a bucket without it refuses those headers. (S3 itself keeps the old version and adds a
 * new one on overwrite; the emulator keeps no versions, so it refuses instead.) Thread-safe (one
 * monitor).
 */
public final class S3Service {

    static final String XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

    /** An answer: status, headers, body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        static Response xml(int status, String xml) {
            return new Response(status, Map.of("Content-Type", "application/xml"), xml.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A stored object, as GetObject returns it. */
    public record StoredObject(String key, byte[] content, Map<String, String> metadata, Instant lastModified,
                               String etag, String lockMode, Instant retainUntil) {
    }

    private static final class Bucket {
        final boolean objectLock;
        final NavigableMap<String, StoredObject> objects = new TreeMap<>();

        Bucket(boolean objectLock) {
            this.objectLock = objectLock;
        }
    }

    private final Map<String, Bucket> buckets = new LinkedHashMap<>();
    private final Clock clock;
    /** Where buckets and objects are kept across restarts, or null: in memory only. */
    private java.nio.file.Path folder;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** An object as kept on disk: the content in Base64, instants as ISO-8601. */
    record Saved(String key, String content, Map<String, String> metadata, String lastModified, String etag,
                 String lockMode, String retainUntil) {
    }

    S3Service(Clock clock) {
        this.clock = clock;
    }

    /**
     * Keeps buckets and objects in {@code dir} from now on (one folder a bucket, one file an
     * object, written before the call is answered), and loads what an earlier run kept there, so
     * that what Airlock shipped survives a restart as it does in S3: Object Lock included.
     */
    public synchronized void persistIn(java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            try (var bucketDirs = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path bucketDir : bucketDirs.filter(java.nio.file.Files::isDirectory).toList()) {
                    java.nio.file.Path marker = bucketDir.resolve(".bucket");
                    if (!java.nio.file.Files.exists(marker)) {
                        continue;
                    }
                    String name = fromFileName(bucketDir.getFileName().toString());
                    boolean lock = java.nio.file.Files.readString(marker).trim().equals("objectLock=true");
                    Bucket b = buckets.computeIfAbsent(name, n -> new Bucket(lock));
                    try (var files = java.nio.file.Files.list(bucketDir)) {
                        for (java.nio.file.Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                            Saved saved = JSON.readValue(f.toFile(), Saved.class);
                            b.objects.put(saved.key(), new StoredObject(saved.key(),
                                    Base64.getDecoder().decode(saved.content()), saved.metadata(),
                                    Instant.parse(saved.lastModified()), saved.etag(), saved.lockMode(),
                                    saved.retainUntil() == null ? null : Instant.parse(saved.retainUntil())));
                        }
                    }
                }
            }
            this.folder = dir;
            for (Map.Entry<String, Bucket> e : buckets.entrySet()) {
                saveBucket(e.getKey(), e.getValue());
                for (StoredObject o : e.getValue().objects.values()) {
                    save(e.getKey(), o);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot keep the emulated S3 in " + dir, e);
        }
    }

    private void saveBucket(String name, Bucket b) throws java.io.IOException {
        if (folder == null) {
            return;
        }
        java.nio.file.Path dir = folder.resolve(fileName(name));
        java.nio.file.Files.createDirectories(dir);
        write(dir.resolve(".bucket"), ("objectLock=" + b.objectLock).getBytes(StandardCharsets.UTF_8));
    }

    private void save(String bucket, StoredObject o) {
        if (folder == null) {
            return;
        }
        try {
            Saved saved = new Saved(o.key(), Base64.getEncoder().encodeToString(o.content()), o.metadata(),
                    o.lastModified().toString(), o.etag(), o.lockMode(),
                    o.retainUntil() == null ? null : o.retainUntil().toString());
            write(folder.resolve(fileName(bucket)).resolve(fileName(o.key()) + ".json"), JSON.writeValueAsBytes(saved));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot keep " + o.key() + " in " + folder, e);
        }
    }

    private void forget(String bucket, String key) {
        if (folder == null) {
            return;
        }
        try {
            java.nio.file.Files.deleteIfExists(folder.resolve(fileName(bucket)).resolve(fileName(key) + ".json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot remove " + key + " from " + folder, e);
        }
    }

    /** Written whole or not at all: a crash leaves the previous file. */
    private static void write(java.nio.file.Path file, byte[] bytes) throws java.io.IOException {
        java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        java.nio.file.Files.write(tmp, bytes);
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A bucket name or key as one file name (no "/"), and back. */
    private static String fileName(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    private static String fromFileName(String name) {
        return URLDecoder.decode(name, StandardCharsets.UTF_8);
    }

    /** Creates an empty bucket (no-op if it exists with the same lock setting). */
    public synchronized void createBucket(String name, boolean objectLockEnabled) {
        Bucket existing = buckets.get(name);
        if (existing != null && existing.objectLock != objectLockEnabled) {
            throw new IllegalStateException("bucket " + name + " exists with objectLock=" + existing.objectLock);
        }
        if (existing == null) {
            Bucket b = new Bucket(objectLockEnabled);
            buckets.put(name, b);
            try {
                saveBucket(name, b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot keep bucket " + name + " in " + folder, e);
            }
        }
    }

    /** The objects of {@code bucket} whose key starts with {@code prefix}, in key order. */
    public synchronized List<StoredObject> objects(String bucket, String prefix) {
        Bucket b = buckets.get(bucket);
        if (b == null) {
            return List.of();
        }
        return b.objects.tailMap(prefix, true).values().stream().takeWhile(o -> o.key().startsWith(prefix)).toList();
    }

    /** Routes one path-style request; {@code operation} is told which S3 operation it is (for faults and counts). */
    synchronized Response handle(String method, String rawPath, Map<String, String> query, Map<String, String> headers,
                                 byte[] body, java.util.function.Consumer<String> operation) {
        Function<String, String> header = headers::get;
        String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        int slash = path.indexOf('/');
        String bucketName = decode(slash < 0 ? path : path.substring(0, slash));
        String key = slash < 0 ? "" : decode(path.substring(slash + 1));
        if (bucketName.isEmpty()) {
            throw new SandboxException("NotImplemented", 501, "Only path-style bucket operations are emulated");
        }
        if (key.isEmpty()) {
            if ("PUT".equals(method) && query.isEmpty()) {
                operation.accept("CreateBucket");
                createBucket(bucketName, "true".equalsIgnoreCase(header.apply("x-amz-bucket-object-lock-enabled")));
                return new Response(200, Map.of("Location", "/" + bucketName), new byte[0]);
            }
            if ("GET".equals(method) && query.containsKey("object-lock")) {
                operation.accept("GetObjectLockConfiguration");
                Bucket b = bucket(bucketName);
                if (!b.objectLock) {
                    throw new SandboxException("ObjectLockConfigurationNotFoundError", 404,
                            "Object Lock configuration does not exist for this bucket");
                }
                return Response.xml(200, "<ObjectLockConfiguration xmlns=\"" + XMLNS + "\">"
                        + "<ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>");
            }
            if ("GET".equals(method) && "2".equals(query.get("list-type"))) {
                operation.accept("ListObjectsV2");
                return list(bucketName, query);
            }
            throw new SandboxException("NotImplemented", 501, method + " on a bucket with " + query.keySet()
                    + " is not emulated");
        }
        return switch (method) {
            case "PUT" -> {
                operation.accept("PutObject");
                yield put(bucketName, key, headers, body);
            }
            case "GET" -> {
                operation.accept("GetObject");
                StoredObject o = object(bucketName, key);
                yield new Response(200, objectHeaders(o), o.content());
            }
            case "HEAD" -> {
                operation.accept("HeadObject");
                StoredObject o = object(bucketName, key);
                yield new Response(200, objectHeaders(o), new byte[0]);
            }
            case "DELETE" -> {
                operation.accept("DeleteObject");
                Bucket b = bucket(bucketName);
                StoredObject o = b.objects.get(key);
                if (o != null && locked(o)) {
                    throw new SandboxException("AccessDenied", 403, "Access Denied because object protected by object lock.");
                }
                forget(bucketName, key);
                b.objects.remove(key);
                yield new Response(204, Map.of(), new byte[0]);
            }
            default -> throw new SandboxException("MethodNotAllowed", 405,
                    "The specified method is not allowed against this resource.");
        };
    }

    private Response put(String bucketName, String key, Map<String, String> headers, byte[] rawBody) {
        Function<String, String> header = headers::get;
        Bucket b = bucket(bucketName);
        byte[] content = isAwsChunked(header) ? decodeAwsChunked(rawBody) : rawBody;
        String mode = header.apply("x-amz-object-lock-mode");
        String until = header.apply("x-amz-object-lock-retain-until-date");
        Instant retainUntil = null;
        if (mode != null || until != null) {
            if (!b.objectLock) {
                throw new SandboxException("InvalidRequest", 400, "Bucket is missing Object Lock Configuration");
            }
            if (mode == null || until == null) {
                throw new SandboxException("InvalidArgument", 400,
                        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
            }
            if (!mode.equals("GOVERNANCE") && !mode.equals("COMPLIANCE")) {
                throw new SandboxException("InvalidArgument", 400, "Unknown wormMode directive.");
            }
            try {
                retainUntil = Instant.parse(until);
            } catch (DateTimeParseException e) {
                throw new SandboxException("InvalidArgument", 400, "The retain until date must be ISO-8601: " + until);
            }
            if (!retainUntil.isAfter(clock.instant())) {
                throw new SandboxException("InvalidArgument", 400, "The retain until date must be in the future!");
            }
            boolean checksummed = header.apply("Content-MD5") != null || header.apply("x-amz-trailer") != null
                    || header.apply("x-amz-sdk-checksum-algorithm") != null;
            if (!checksummed) {
                throw new SandboxException("InvalidRequest", 400,
                        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
            }
        }
        StoredObject existing = b.objects.get(key);
        if (existing != null && locked(existing)) {
            throw new SandboxException("AccessDenied", 403, "Access Denied because object protected by object lock.");
        }
        String etag = "\"" + HexFormat.of().formatHex(md5(content)) + "\"";
        StoredObject stored = new StoredObject(key, content, metadataOf(headers), clock.instant().truncatedTo(ChronoUnit.SECONDS),
                etag, mode, retainUntil);
        save(bucketName, stored);
        b.objects.put(key, stored);
        return new Response(200, Map.of("ETag", etag), new byte[0]);
    }

    /** User metadata: the x-amz-meta-* headers, names in lower case as S3 keeps them. */
    private static Map<String, String> metadataOf(Map<String, String> headers) {
        Map<String, String> metadata = new TreeMap<>();
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-meta-")) {
                metadata.put(lower.substring("x-amz-meta-".length()), value);
            }
        });
        return metadata;
    }

    private boolean locked(StoredObject o) {
        return o.retainUntil() != null && o.retainUntil().isAfter(clock.instant());
    }

    private Response list(String bucketName, Map<String, String> query) {
        Bucket b = bucket(bucketName);
        String prefix = query.getOrDefault("prefix", "");
        String token = query.get("continuation-token");
        String startAfter = token != null ? new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8)
                : query.get("start-after");
        int maxKeys = Math.min(1000, Integer.parseInt(query.getOrDefault("max-keys", "1000")));
        boolean urlEncoded = "url".equals(query.get("encoding-type"));
        NavigableMap<String, StoredObject> from = startAfter == null ? b.objects.tailMap(prefix, true)
                : b.objects.tailMap(startAfter.compareTo(prefix) < 0 ? prefix : startAfter,
                        startAfter.compareTo(prefix) < 0);
        StringBuilder contents = new StringBuilder();
        int count = 0;
        String last = null;
        boolean truncated = false;
        for (StoredObject o : from.values()) {
            if (!o.key().startsWith(prefix)) {
                break;
            }
            if (count == maxKeys) {
                truncated = true;
                break;
            }
            contents.append("<Contents><Key>").append(xml(urlEncoded ? encode(o.key()) : o.key())).append("</Key>")
                    .append("<LastModified>").append(o.lastModified()).append("</LastModified>")
                    .append("<ETag>").append(xml(o.etag())).append("</ETag>")
                    .append("<Size>").append(o.content().length).append("</Size>")
                    .append("<StorageClass>STANDARD</StorageClass></Contents>");
            last = o.key();
            count++;
        }
        StringBuilder out = new StringBuilder("<ListBucketResult xmlns=\"" + XMLNS + "\">")
                .append("<Name>").append(xml(bucketName)).append("</Name>")
                .append("<Prefix>").append(xml(urlEncoded ? encode(prefix) : prefix)).append("</Prefix>")
                .append("<KeyCount>").append(count).append("</KeyCount>")
                .append("<MaxKeys>").append(maxKeys).append("</MaxKeys>")
                .append("<IsTruncated>").append(truncated).append("</IsTruncated>");
        if (urlEncoded) {
            out.append("<EncodingType>url</EncodingType>");
        }
        if (token != null) {
            out.append("<ContinuationToken>").append(xml(token)).append("</ContinuationToken>");
        }
        if (truncated) {
            out.append("<NextContinuationToken>")
                    .append(Base64.getEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)))
                    .append("</NextContinuationToken>");
        }
        out.append(contents).append("</ListBucketResult>");
        return Response.xml(200, out.toString());
    }

    private Bucket bucket(String name) {
        Bucket b = buckets.get(name);
        if (b == null) {
            throw new SandboxException("NoSuchBucket", 404, "The specified bucket does not exist")
                    .with("BucketName", name);
        }
        return b;
    }

    private StoredObject object(String bucketName, String key) {
        StoredObject o = bucket(bucketName).objects.get(key);
        if (o == null) {
            throw new SandboxException("NoSuchKey", 404, "The specified key does not exist.").with("Key", key);
        }
        return o;
    }

    private static Map<String, String> objectHeaders(StoredObject o) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("ETag", o.etag());
        headers.put("Last-Modified", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(o.lastModified().atZone(java.time.ZoneOffset.UTC)));
        o.metadata().forEach((k, v) -> headers.put("x-amz-meta-" + k, v));
        if (o.lockMode() != null) {
            headers.put("x-amz-object-lock-mode", o.lockMode());
            headers.put("x-amz-object-lock-retain-until-date", o.retainUntil().toString());
        }
        return headers;
    }

    private static boolean isAwsChunked(Function<String, String> header) {
        String sha = header.apply("x-amz-content-sha256");
        String encoding = header.apply("Content-Encoding");
        return (sha != null && sha.startsWith("STREAMING-"))
                || (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("aws-chunked"));
    }

    /** aws-chunked: "hex-size[;chunk-signature=...]\r\n" data "\r\n" ... "0\r\n" trailers "\r\n". */
    static byte[] decodeAwsChunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < body.length) {
            int eol = indexOfCrlf(body, pos);
            if (eol < 0) {
                throw new SandboxException("IncompleteBody", 400, "Malformed aws-chunked body");
            }
            String line = new String(body, pos, eol - pos, StandardCharsets.US_ASCII);
            int semi = line.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            pos = eol + 2;
            if (size == 0) {
                break;
            }
            if (pos + size > body.length) {
                throw new SandboxException("IncompleteBody", 400, "Malformed aws-chunked body");
            }
            out.write(body, pos, size);
            pos += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] md5(byte[] content) {
        try {
            return MessageDigest.getInstance("MD5").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
