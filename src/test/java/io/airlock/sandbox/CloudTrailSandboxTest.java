package io.airlock.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.CloudTrailException;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.InvalidLookupAttributesException;
import software.amazon.awssdk.services.cloudtrail.model.InvalidTimeRangeException;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.sts.model.Credentials;

/** The emulator's CloudTrail LookupEvents through the real SDK (no retries): filters, window, pages, quota, accounts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudTrailSandboxTest {

    private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;

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

    @BeforeEach
    void clear() {
        sandbox.cloudTrail().clear();
    }

    /** A client acting in the account through the emulator's STS (as Airlock does with the reader role). */
    private CloudTrailClient inAccount(String accountId) {
        Credentials c = aws.sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + accountId + ":role/AirlockActivityReader")
                .roleSessionName("airlock-activity").externalId("airlock-sandbox")).credentials();
        return CloudTrailClient.builder().endpointOverride(sandbox.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(),
                        c.secretAccessKey())))
                .httpClient(aws.http).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @Test
    void findsTheUsersEventsInTheWindowOfTheAccountNewestFirst() throws Exception {
        Instant t = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        CloudTrailService ct = sandbox.cloudTrail();
        ct.record(STAGING, "us-east-1", CloudTrailService.ssoEvent(STAGING, "alice", "ReadOnlyAccess",
                "s3.amazonaws.com", "ListBuckets", true, t.plusSeconds(10)));
        ct.record(STAGING, "us-east-1", CloudTrailService.ssoEvent(STAGING, "alice", "ReadOnlyAccess",
                "ec2.amazonaws.com", "DescribeInstances", true, t.plusSeconds(20),
                new CloudTrailService.Resource("AWS::EC2::Instance", "i-0abc")));
        ct.record(STAGING, "us-east-1", CloudTrailService.ssoEvent(STAGING, "alice", "ReadOnlyAccess",
                "s3.amazonaws.com", "GetObject", true, t.minusSeconds(1)));                 // before
        ct.record(STAGING, "us-east-1", CloudTrailService.ssoEvent(STAGING, "bob", "ReadOnlyAccess",
                "s3.amazonaws.com", "ListBuckets", true, t.plusSeconds(15)));               // other user
        ct.record(STAGING, "eu-west-1", CloudTrailService.ssoEvent(STAGING, "alice", "ReadOnlyAccess",
                "s3.amazonaws.com", "ListBuckets", true, t.plusSeconds(15)));               // other region
        ct.record(DemoOrganization.SANDBOX_ACCOUNT_ID, "us-east-1", CloudTrailService.ssoEvent(
                DemoOrganization.SANDBOX_ACCOUNT_ID, "alice", "ReadOnlyAccess", "s3.amazonaws.com", "ListBuckets", true,
                t.plusSeconds(15)));                                                      // other account

        try (CloudTrailClient staging = inAccount(STAGING)) {
            List<Event> events = staging.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey(
                    LookupAttributeKey.USERNAME).attributeValue("alice")).startTime(t).endTime(t.plusSeconds(60))).events();
            assertThat(events).extracting(Event::eventName).containsExactly("DescribeInstances", "ListBuckets");
            Event first = events.get(0);
            assertThat(first.eventTime()).isEqualTo(t.plusSeconds(20));
            assertThat(first.username()).isEqualTo("alice");
            assertThat(first.eventSource()).isEqualTo("ec2.amazonaws.com");
            assertThat(first.readOnly()).isEqualTo("true");
            assertThat(first.resources()).singleElement().satisfies(res -> {
                assertThat(res.resourceType()).isEqualTo("AWS::EC2::Instance");
                assertThat(res.resourceName()).isEqualTo("i-0abc");
            });
            assertThat(first.cloudTrailEvent()).contains("AWSReservedSSO_ReadOnlyAccess_");
        }
    }

    @Test
    void pagesFiftyAtATimeAndRefusesTwoAttributesAndABackwardRange() {
        Instant t = Instant.now().minus(1, ChronoUnit.HOURS);
        for (int i = 0; i < 120; i++) {
            sandbox.cloudTrail().record(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1",
                    CloudTrailService.ssoEvent(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "carol", "ViewOnlyAccess",
                            "iam.amazonaws.com", "ListRoles", true, t.plusSeconds(i)));
        }
        // 3 pages; the quota (2 a second) makes the paginator's third call wait a little, so allow for it
        long seen = 0;
        for (var page : aws.cloudTrail.lookupEventsPaginator(r -> r.startTime(t))) {
            seen += page.events().size();
            assertThat(page.events().size()).isLessThanOrEqualTo(50);
            sleepPastQuota();
        }
        assertThat(seen).isEqualTo(120);

        sleepPastQuota();
        assertThatThrownBy(() -> aws.cloudTrail.lookupEvents(r -> r.lookupAttributes(
                a -> a.attributeKey(LookupAttributeKey.USERNAME).attributeValue("carol"),
                a -> a.attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("ListRoles"))))
                .isInstanceOf(InvalidLookupAttributesException.class);
        assertThatThrownBy(() -> aws.cloudTrail.lookupEvents(r -> r.startTime(t).endTime(t.minusSeconds(1))))
                .isInstanceOf(InvalidTimeRangeException.class);
    }

    @Test
    void throttlesTheThirdCallWithinASecondPerAccountAndRegion() {
        sleepPastQuota();
        aws.cloudTrail.lookupEvents(r -> r.maxResults(1));
        aws.cloudTrail.lookupEvents(r -> r.maxResults(1));
        assertThatThrownBy(() -> aws.cloudTrail.lookupEvents(r -> r.maxResults(1)))
                .isInstanceOfSatisfying(CloudTrailException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException"));
        try (CloudTrailClient staging = inAccount(STAGING)) {
            staging.lookupEvents(r -> r.maxResults(1)); // another account has its own quota
        }
    }

    @Test
    void aNewAssignmentOfAUserProducesDemoEventsWhenAskedTo() {
        sandbox.cloudTrail().demoEvents(true);
        try {
            aws.ssoAdmin.createAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
                    .targetId(STAGING).targetType("AWS_ACCOUNT").principalType("USER")
                    .principalId(DemoOrganization.DAVE_USER_ID)
                    .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    sandbox.state().hasAssignment(STAGING, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, "USER",
                            DemoOrganization.DAVE_USER_ID) && !sandbox.cloudTrail().events(STAGING).isEmpty());
            assertThat(sandbox.cloudTrail().events(STAGING)).allSatisfy(e -> {
                assertThat(e.username()).isEqualTo("dave");
                assertThat(e.cloudTrailEvent()).contains("AWSReservedSSO_ViewOnlyAccess_");
            }).extracting(CloudTrailService.Event::eventName).contains("ConsoleLogin", "ListBuckets");
        } finally {
            sandbox.cloudTrail().demoEvents(false);
        }
    }

    private static void sleepPastQuota() {
        // the quota refills 2 tokens a second: waiting one second is what a polite client does
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(1000)).until(() -> true);
    }
}
