package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The emulator's S3 through the real SDK (path-style, no retries): objects, listing, Object Lock, outages. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SandboxTest {

    private AwsSandbox sandbox;
    private SdkClients aws;

    @BeforeAll
    void start() {
        sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0));
        aws = new SdkClients(sandbox);
    }

    @AfterAll
    void stop() {
        aws.close();
        sandbox.close();
    }

    @Test
    void putGetAndListWithPagesPrefixesAndMetadata() {
        aws.s3.createBucket(b -> b.bucket("plain"));
        for (int n = 0; n < 5; n++) {
            int i = n;
            String key = "logs/2026/12/0" + i + "/entry +" + i + ".txt";
            aws.s3.putObject(r -> r.bucket("plain").key(key).metadata(Map.of("airlock-n", "" + i)),
                    RequestBody.fromString("content " + i));
        }
        aws.s3.putObject(r -> r.bucket("plain").key("other/x"), RequestBody.fromString("x"));

        ResponseBytes<GetObjectResponse> got = aws.s3.getObjectAsBytes(r -> r.bucket("plain").key("logs/2026/12/03/entry +3.txt"));
        assertThat(got.asString(StandardCharsets.UTF_8)).isEqualTo("content 3");
        assertThat(got.response().metadata()).containsEntry("airlock-n", "3");

        List<String> keys = aws.s3.listObjectsV2Paginator(r -> r.bucket("plain").prefix("logs/").maxKeys(2))
                .contents().stream().map(S3Object::key).toList();
        assertThat(keys).containsExactly("logs/2026/12/00/entry +0.txt", "logs/2026/12/01/entry +1.txt",
                "logs/2026/12/02/entry +2.txt", "logs/2026/12/03/entry +3.txt", "logs/2026/12/04/entry +4.txt");
        assertThat(aws.s3.listObjectsV2(r -> r.bucket("plain").prefix("logs/").startAfter("logs/2026/12/03"))
                .contents()).extracting(S3Object::key).containsExactly("logs/2026/12/03/entry +3.txt",
                        "logs/2026/12/04/entry +4.txt");

        assertThatThrownBy(() -> aws.s3.getObjectAsBytes(r -> r.bucket("plain").key("nope")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
                });
        assertThatThrownBy(() -> aws.s3.listObjectsV2(r -> r.bucket("no-such-bucket")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("NoSuchBucket"));
        // Without Object Lock, objects are replaced and deleted at will; lock headers are refused.
        aws.s3.putObject(r -> r.bucket("plain").key("other/x"), RequestBody.fromString("y"));
        aws.s3.deleteObject(r -> r.bucket("plain").key("other/x"));
        assertThatThrownBy(() -> aws.s3.putObject(r -> r.bucket("plain").key("locked")
                        .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(Instant.now().plusSeconds(60))
                        .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromString("z")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorMessage())
                        .contains("missing Object Lock Configuration"));
        assertThatThrownBy(() -> aws.s3.getObjectLockConfiguration(r -> r.bucket("plain")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("ObjectLockConfigurationNotFoundError"));
    }

    @Test
    void aLockedObjectCannotBeOverwrittenOrDeletedUntilItsRetentionEnds() {
        aws.s3.createBucket(b -> b.bucket("vault").objectLockEnabledForBucket(true));
        assertThat(aws.s3.getObjectLockConfiguration(r -> r.bucket("vault")).objectLockConfiguration().objectLockEnabled())
                .isEqualTo(ObjectLockEnabled.ENABLED);
        Instant until = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        aws.s3.putObject(r -> r.bucket("vault").key("anchor").objectLockMode(ObjectLockMode.COMPLIANCE)
                .objectLockRetainUntilDate(until).checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromString("v1"));

        GetObjectResponse head = aws.s3.getObjectAsBytes(r -> r.bucket("vault").key("anchor")).response();
        assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
        assertThat(head.objectLockRetainUntilDate()).isEqualTo(until);

        assertThatThrownBy(() -> aws.s3.putObject(r -> r.bucket("vault").key("anchor"), RequestBody.fromString("v2")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorMessage()).contains("object lock");
                });
        assertThatThrownBy(() -> aws.s3.deleteObject(r -> r.bucket("vault").key("anchor")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThat(aws.s3.getObjectAsBytes(r -> r.bucket("vault").key("anchor")).asUtf8String()).isEqualTo("v1");
        // Like S3: lock headers need a checksum; the retention must be in the future.
        assertThatThrownBy(() -> aws.s3.putObject(r -> r.bucket("vault").key("past").objectLockMode(ObjectLockMode.GOVERNANCE)
                        .objectLockRetainUntilDate(Instant.now().minusSeconds(5)).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromString("p")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("InvalidArgument"));
    }

    @Test
    void anOutageFailsEveryCallUntilItEnds() {
        aws.s3.createBucket(b -> b.bucket("flaky"));
        sandbox.faults().startOutage("PutObject", "ServiceUnavailable", 503);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> aws.s3.putObject(r -> r.bucket("flaky").key("k"), RequestBody.fromString("k")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        }
        sandbox.faults().endOutage("PutObject");
        aws.s3.putObject(r -> r.bucket("flaky").key("k"), RequestBody.fromString("k"));
        assertThat(sandbox.s3().objects("flaky", "")).extracting(S3Service.StoredObject::key).containsExactly("k");
    }

    @Test
    void keptInAFolderObjectsAndTheirLocksSurviveARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Instant until = Instant.now().plus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        AwsSandbox first = AwsSandbox.start(SandboxSettings.defaults().withPort(0));
        first.s3().persistIn(dir);
        try (SdkClients one = new SdkClients(first)) {
            one.s3.putObject(r -> r.bucket(DemoOrganization.AUDIT_BUCKET).key("audit/000001-000002.jsonl")
                    .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(until)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromString("entries 1 and 2"));
            one.s3.createBucket(b -> b.bucket("plain-kept"));
            one.s3.putObject(r -> r.bucket("plain-kept").key("a b/c"), RequestBody.fromString("c"));
            one.s3.putObject(r -> r.bucket("plain-kept").key("gone"), RequestBody.fromString("g"));
            one.s3.deleteObject(r -> r.bucket("plain-kept").key("gone"));
        } finally {
            first.close();
        }

        AwsSandbox second = AwsSandbox.start(SandboxSettings.defaults().withPort(0));
        second.s3().persistIn(dir);
        try (SdkClients two = new SdkClients(second)) {
            ResponseBytes<GetObjectResponse> kept = two.s3.getObjectAsBytes(r -> r.bucket(DemoOrganization.AUDIT_BUCKET)
                    .key("audit/000001-000002.jsonl"));
            assertThat(kept.asString(StandardCharsets.UTF_8)).isEqualTo("entries 1 and 2");
            assertThat(kept.response().objectLockRetainUntilDate()).isEqualTo(until);
            // still locked after the restart: an insider cannot cut the anchors by restarting the emulator
            assertThatThrownBy(() -> two.s3.deleteObject(r -> r.bucket(DemoOrganization.AUDIT_BUCKET)
                    .key("audit/000001-000002.jsonl"))).isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
            assertThat(two.s3.listObjectsV2(r -> r.bucket("plain-kept")).contents()).extracting(S3Object::key)
                    .containsExactly("a b/c");
        } finally {
            second.close();
        }
    }

    @Test
    void theFolderIsBesideTheEmbeddedDatabaseAndNowhereElseUnlessAsked() {
        assertThat(SandboxConfiguration.s3Folder("", "jdbc:h2:file:./data/airlock;DB_CLOSE_ON_EXIT=FALSE"))
                .isEqualTo(java.nio.file.Path.of("./data/airlock-sandbox-s3"));
        assertThat(SandboxConfiguration.s3Folder(null, "jdbc:postgresql://127.0.0.1/airlock")).isNull();
        assertThat(SandboxConfiguration.s3Folder("", "jdbc:h2:mem:test")).isNull();
        assertThat(SandboxConfiguration.s3Folder("/var/airlock/s3", "jdbc:postgresql://x/y"))
                .isEqualTo(java.nio.file.Path.of("/var/airlock/s3"));
    }
}
