package io.airlock.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.sandbox.AwsSandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** What an auditor finds in the audit bucket, read over HTTP with the SDK as any S3 client would. */
public final class AuditBucket implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final S3Client s3;
  private final String bucket;

  public AuditBucket(AwsSandbox sandbox, String bucket) {
    this.bucket = bucket;
    this.s3 = S3Client.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAAUDITOR000000000", "x")))
        .build();
  }

  public List<String> keys(String prefix) {
    return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  /** Every entry of every object under {@code prefix}, in key order (duplicates kept). */
  public List<JsonNode> entries(String prefix) {
    List<JsonNode> all = new ArrayList<>();
    for (String key : keys(prefix)) {
      byte[] gz = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            all.add(JSON.readTree(line));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(key + " is not gzip-compressed JSON Lines", e);
      }
    }
    return all;
  }

  /** The sequence numbers in the bucket, in order, duplicates kept. */
  public List<Long> seqs(String prefix) {
    return entries(prefix).stream().map(e -> e.get("seq").asLong()).toList();
  }

  @Override
  public void close() {
    s3.close();
  }
}
